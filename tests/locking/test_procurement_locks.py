"""The buyer's PO actions and the procurement batches lock only their own rows; two buyers
ordering the same requisition lines at once order them once."""

from datetime import timedelta

import pytest

from b2b_portal.errors import ValidationRefused
from procurement.models import POStatus, PurchaseOrder, PurchaseOrderLine, RequisitionLine
from procurement.services import (
    orders_progress,
    purchase_order_approve,
    purchase_order_lines_flag_late,
    purchase_order_reject,
    purchase_order_submit,
    purchase_orders_create_from_requisitions,
    supply_orders_generate,
)
from procurement.services.purchase_orders import NO_LONGER_AWAITING_PO
from tests.helpers import place_order
from tests.locking.support import (
    assert_locks_only_own_rows,
    lock_order,
    locking_statements,
    run_concurrently,
)

SERVER = "SRV-DL380-G11"


def requisitioned(world, *lines):
    """An order of ``lines`` carried to approved requisition lines."""
    order = place_order(world, *lines)
    orders_progress(actor=world.users["manager"], sales_order=order)
    supply_orders_generate(actor=world.users["buyer"])
    return list(RequisitionLine.objects.filter(sales_order_line__order=order).order_by("pk"))


@pytest.mark.django_db
def test_document_builder_locks_requisition_lines_then_so_lines_then_supply_orders(world):
    """The SO lines for their jeopardy (the new PO lines' promise against the scheduled ship
    date), between the requisition lines and what belongs to one SO line alone."""
    requisition_lines = requisitioned(world, (SERVER, "1"), ("SRV-R760-XA", "2"))

    statements = locking_statements(
        lambda: purchase_orders_create_from_requisitions(
            actor=world.users["buyer"], requisition_lines=requisition_lines
        )
    )

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == [
        "procurement_requisitionline",
        "orders_salesorderline",
        "procurement_supplyorder",
    ]
    assert PurchaseOrderLine.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["submit", "approve", "reject"])
def test_po_submit_approve_reject_lock_only_the_purchase_order(world, drive_to_po, action):
    _, [po_line] = drive_to_po((SERVER, "1"), approve=False)
    purchase_order, buyer = po_line.purchase_order, world.users["buyer"]
    if action != "submit":
        purchase_order_submit(actor=buyer, purchase_order=purchase_order)
    call = {
        "submit": lambda: purchase_order_submit(actor=buyer, purchase_order=purchase_order),
        "approve": lambda: purchase_order_approve(actor=buyer, purchase_order=purchase_order),
        "reject": lambda: purchase_order_reject(
            actor=buyer, purchase_order=purchase_order, reason="wrong supplier"
        ),
    }[action]

    statements = locking_statements(call)

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == ["procurement_purchaseorder"]
    purchase_order.refresh_from_db()
    expected = {"submit": POStatus.PENDING_APPROVAL, "approve": POStatus.OPEN}
    assert purchase_order.status == expected.get(action, POStatus.DRAFT)


@pytest.mark.django_db
def test_late_supply_locks_its_po_lines_then_their_sales_order_lines(world, drive_to_po):
    order, [po_line] = drive_to_po((SERVER, "1"))
    as_of = po_line.promised_date + timedelta(days=1)

    statements = locking_statements(
        lambda: purchase_order_lines_flag_late(actor=world.users["ops"], as_of=as_of)
    )

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == ["procurement_purchaseorderline", "orders_salesorderline"]
    assert order.lines.get().at_risk is True


@pytest.mark.django_db(transaction=True)
def test_two_buyers_ordering_the_same_requisition_lines_at_once_order_them_once(world):
    requisition_lines = requisitioned(world, (SERVER, "1"), ("SRV-R760-XA", "2"))

    def build():
        return purchase_orders_create_from_requisitions(
            actor=world.users["buyer"], requisition_lines=requisition_lines
        )

    outcomes = run_concurrently(build, build)

    [made] = [outcome for outcome in outcomes if isinstance(outcome, list)]
    [refused] = [outcome for outcome in outcomes if isinstance(outcome, ValidationRefused)]
    names = ", ".join(str(line) for line in requisition_lines)
    assert refused.message == NO_LONGER_AWAITING_PO.format(names=names)
    assert PurchaseOrder.objects.count() == len(made) == 2
    assert PurchaseOrderLine.objects.count() == 2
