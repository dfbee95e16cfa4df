"""A PO's stored totals (``lines_total``, ``line_count``) equal its live lines' after every
procurement service that writes PO lines: made by the Document Builder, AutoCreate (chunk
by chunk) and re-sourcing, edited as a draft, cancelled (a line, a whole PO), and followed
by receipts and AP validation. Derived columns: kept out of the PO's history."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from invoicing.services import ap_invoice_validate
from orchestration.consistency import check_consistency
from procurement.models import (
    POStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    RequisitionLine,
    SourcingRule,
    SupplyOrder,
)
from procurement.services import (
    orders_progress,
    purchase_order_cancel,
    purchase_order_line_cancel,
    purchase_order_line_update,
    purchase_orders_autocreate,
    requisition_line_cancel,
    supply_order_resource,
    supply_orders_generate,
)
from tests.helpers import enter_ap_invoice, place_order, receive
from tests.stored_totals import po_totals

pytestmark = pytest.mark.django_db


def lines_of(order):
    return list(PurchaseOrderLine.objects.filter(sales_order_line__order=order).order_by("pk"))


def purchase_orders_of(order):
    return list(PurchaseOrder.objects.filter(lines__sales_order_line__order=order).distinct())


def test_the_document_builder_stores_each_pos_totals(world, drive_to_po):
    order, po_lines = drive_to_po(
        ("SRV-DL380-G11", "2"), ("SRV-R760-XA", "3"), ("SRV-DL380-G11", "1"), approve=False
    )
    purchase_orders = purchase_orders_of(order)
    stored = [po_totals(purchase_order) for purchase_order in purchase_orders]

    assert len(purchase_orders) > 1
    assert sum(count for _, count in stored) == len(po_lines) == 3
    assert sum(total for total, _ in stored) == sum(line.amount for line in po_lines) > 0
    assert check_consistency() == []


def test_autocreate_stores_the_totals_of_every_chunks_pos(world):
    items = ("SRV-DL380-G11", "SRV-R760-XA", "STO-A400-96T")
    order = place_order(world, *((items[n % 3], str(n + 1)) for n in range(7)))
    orders_progress(actor=world.users["manager"], sales_order=order)
    supply_orders_generate(actor=world.users["buyer"])

    result = purchase_orders_autocreate(actor=world.users["buyer"], batch_size=3)

    purchase_orders = purchase_orders_of(order)
    assert result.created == len(purchase_orders) >= 3
    stored = [po_totals(purchase_order) for purchase_order in purchase_orders]
    assert sum(count for _, count in stored) == 7
    assert sum(total for total, _ in stored) == sum(line.amount for line in lines_of(order))


def test_a_draft_lines_new_price_and_quantity_are_retotalled(world, drive_to_po):
    _, [po_line, other] = drive_to_po(("SRV-DL380-G11", "3"), ("SRV-DL380-G11", "1"), approve=False)
    assert po_line.purchase_order_id == other.purchase_order_id

    purchase_order_line_update(
        actor=world.users["buyer"],
        line=po_line,
        unit_price=Decimal("39000.55"),
        promised_date=timezone.localdate() + timedelta(days=20),
        quantity=Decimal("2"),
    )

    assert po_totals(po_line.purchase_order) == (Decimal("78001.10") + other.amount, 2)


def test_cancelling_a_line_then_the_po_retotals_it(world, drive_to_po):
    _, [first, second] = drive_to_po(("SRV-DL380-G11", "2"), ("SRV-DL380-G11", "1"))
    purchase_order = first.purchase_order
    assert po_totals(purchase_order) == (first.amount + second.amount, 2)

    purchase_order_line_cancel(
        actor=world.users["buyer"], purchase_order_line=first, reason="discontinued"
    )
    assert po_totals(purchase_order) == (second.amount, 1)

    purchase_order_cancel(actor=world.users["buyer"], purchase_order=purchase_order, reason="x")
    assert po_totals(purchase_order) == (Decimal("0.00"), 0)
    purchase_order.refresh_from_db()
    assert purchase_order.status == POStatus.CANCELLED


def test_re_sourcing_stores_the_new_pos_totals(world, drive_to_po):
    order, [old] = drive_to_po(("SRV-DL380-G11", "2"))
    purchase_order_line_cancel(actor=world.users["buyer"], purchase_order_line=old, reason="gone")
    rule = SourcingRule.objects.get(
        item=world.items["SRV-DL380-G11"], supplier=world.suppliers["S-300"]
    )

    new = supply_order_resource(
        actor=world.users["buyer"],
        supply_order=SupplyOrder.objects.get(sales_order_line__order=order),
        sourcing_rule=rule,
        reason="Fabrikam has it",
    )

    assert po_totals(new.purchase_order) == (Decimal("82500.00"), 1)
    assert po_totals(old.purchase_order) == (Decimal("0.00"), 0)


def test_a_requisition_line_cancelled_and_re_sourced_stores_the_new_pos_totals(world):
    order = place_order(world, ("SRV-DL380-G11", "3"))
    orders_progress(actor=world.users["manager"], sales_order=order)
    supply_orders_generate(actor=world.users["buyer"])
    rule = SourcingRule.objects.get(
        item=world.items["SRV-DL380-G11"], supplier=world.suppliers["S-300"]
    )

    requisition_line_cancel(
        actor=world.users["buyer"],
        requisition_line=RequisitionLine.objects.get(sales_order_line__order=order),
        reason="Fabrikam instead",
        resource_with=rule,
    )

    [po_line] = lines_of(order)
    assert po_totals(po_line.purchase_order) == (Decimal("123750.00"), 1)


def test_receipts_and_ap_validation_leave_the_totals_as_the_lines_say(world, drive_to_po):
    _, [po_line, other] = drive_to_po(("SRV-DL380-G11", "2"), ("SRV-DL380-G11", "1"))
    expected = (po_line.amount + other.amount, 2)

    receive(world, po_line, "2")
    receive(world, other, "1")
    invoice = enter_ap_invoice(world, po_line, "2")
    ap_invoice_validate(actor=world.users["ap"], invoice=invoice)

    assert po_totals(po_line.purchase_order) == expected
    assert check_consistency() == []


def test_the_admins_cancel_action_retotals(client, world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"), approve=False)
    client.force_login(world.users["admin"])
    client.post(
        reverse("admin:procurement_purchaseorder_changelist"),
        {
            "action": "cancel_orders",
            "index": 0,
            ACTION_CHECKBOX_NAME: [po_line.purchase_order_id],
            "apply_reason": "yes",
            "reason": "not needed",
        },
    )
    assert po_totals(po_line.purchase_order) == (Decimal("0.00"), 0)


def test_the_totals_stay_out_of_the_pos_history(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"), approve=False)
    tracked = {field.name for field in PurchaseOrder.history.model._meta.get_fields()}
    assert not {"lines_total", "line_count"} & tracked

    purchase_order_line_cancel(actor=world.users["buyer"], purchase_order_line=po_line, reason="x")

    # The PO followed its line by the set-based write, its history row copied beside it.
    latest = po_line.purchase_order.history.latest("history_id")
    assert latest.status == POStatus.CANCELLED
    assert po_totals(po_line.purchase_order) == (Decimal("0.00"), 0)
