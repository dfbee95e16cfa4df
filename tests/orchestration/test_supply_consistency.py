"""Issue 10, item 9 (the procurement part): check_consistency notices a PO header that
disagrees with its lines, and a cancelled supply that still has a live PO line."""

import pytest
from django.db import connection

from orchestration.consistency import check_consistency
from procurement.models import PurchaseOrder, SupplyOrder
from procurement.services import purchase_order_line_cancel

pytestmark = pytest.mark.django_db


def test_a_po_header_that_disagrees_with_its_lines_fails_the_check(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    assert check_consistency() == []
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procurement_purchaseorder SET status = 'CLOSED' WHERE id = %s",
            [po_line.purchase_order_id],
        )
    purchase_order = PurchaseOrder.objects.get()
    assert check_consistency() == [f"{purchase_order} is Closed but its lines say otherwise."]


def test_a_po_left_open_with_every_line_cancelled_fails_the_check(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    purchase_order_line_cancel(
        actor=world.users["buyer"], purchase_order_line=po_line, reason="supplier said no"
    )
    assert check_consistency() == []
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procurement_purchaseorder SET status = 'OPEN' WHERE id = %s",
            [po_line.purchase_order_id],
        )
    assert len(check_consistency()) == 1


def test_a_cancelled_supply_with_a_live_po_line_fails_the_check(world, drive_to_po):
    order, _ = drive_to_po(("SRV-DL380-G11", "2"))
    supply = SupplyOrder.objects.get(sales_order_line=order.lines.get())
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procurement_supplyorder SET status = 'CANCELLED' WHERE id = %s", [supply.pk]
        )
    assert check_consistency() == [f"{supply} is Cancelled but a live PO line still supplies it."]


def test_a_draft_po_line_that_disagrees_with_its_requisition_line_fails_the_check(
    world, drive_to_po
):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "3"), approve=False)
    assert check_consistency() == []
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procurement_requisitionline SET quantity = 5 WHERE id = %s",
            [po_line.requisition_line_id],
        )
    supply = po_line.requisition_line.supply_order
    assert check_consistency() == [
        f"{po_line} orders 3.000, but its requisition line asks 5.000 and {supply} 3.000."
    ]
