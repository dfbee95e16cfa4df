"""The supply cancellation services lock only their own rows, in the documented order
(PO, PO lines, requisition lines, SO lines, then the line's supply order); a PO line
cancel and a receipt of it at once leave one of them refused and the data consistent."""

from decimal import Decimal

import pytest

from b2b_portal.errors import ApplicationError
from orchestration.consistency import check_consistency
from procurement.models import POLineStatus, RequisitionLine, SourcingRule, SupplyOrder
from procurement.services import (
    orders_progress,
    purchase_order_line_cancel,
    requisition_line_cancel,
    supply_order_resource,
    supply_orders_generate,
)
from receiving.services import ReceiptLineInput, receipt_create
from tests.helpers import place_order
from tests.locking.support import (
    assert_locks_only_own_rows,
    lock_order,
    locking_statements,
    run_concurrently,
)


@pytest.mark.django_db
def test_cancel_and_resource_lock_their_own_rows_in_the_documented_order(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    buyer = world.users["buyer"]
    statements = locking_statements(
        lambda: purchase_order_line_cancel(actor=buyer, purchase_order_line=po_line, reason="x")
    )
    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == [
        "procurement_purchaseorder",
        "procurement_purchaseorderline",
        "procurement_requisitionline",
        "orders_salesorderline",
        "procurement_supplyorder",
    ]
    supply = SupplyOrder.objects.get()
    rule = SourcingRule.objects.get(item=po_line.item, supplier=world.suppliers["S-300"])
    statements = locking_statements(
        lambda: supply_order_resource(
            actor=buyer, supply_order=supply, sourcing_rule=rule, reason="x"
        )
    )
    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == ["orders_salesorderline", "procurement_supplyorder"]


@pytest.mark.django_db
def test_requisition_cancel_locks_its_line_then_the_demand(world):
    order = place_order(world, ("SRV-DL380-G11", "2"))
    orders_progress(actor=world.users["manager"], sales_order=order)
    supply_orders_generate(actor=world.users["buyer"])
    statements = locking_statements(
        lambda: requisition_line_cancel(
            actor=world.users["buyer"], requisition_line=RequisitionLine.objects.get(), reason="x"
        )
    )
    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == [
        "procurement_requisitionline",
        "orders_salesorderline",
        "procurement_supplyorder",
    ]


@pytest.mark.django_db(transaction=True)
def test_a_cancel_and_a_receipt_of_one_line_at_once(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    buyer, receiver = world.users["buyer"], world.users["receiver"]
    outcomes = run_concurrently(
        lambda: purchase_order_line_cancel(actor=buyer, purchase_order_line=po_line, reason="x"),
        lambda: receipt_create(
            actor=receiver,
            purchase_order=po_line.purchase_order,
            lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=Decimal("1"))],
        ),
    )
    refused = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], ApplicationError)
    po_line.refresh_from_db()
    assert (po_line.status == POLineStatus.CANCELLED) == (po_line.received_quantity == 0)
    assert check_consistency() == []
