"""Acceptance 3: partial receipts reserve partially; over-receipt is refused."""

from decimal import Decimal

import pytest

from b2b_portal.errors import ValidationRefused
from inventory.models import OnHandBalance, Reservation
from orders.models import LineStatus
from procurement.models import POLineStatus, POStatus, SupplyStatus
from receiving.models import Receipt
from receiving.services import ReceiptLineInput, receipt_create
from tests.helpers import snapshot

pytestmark = pytest.mark.django_db


def receive(world, po_line, quantity):
    return receipt_create(
        actor=world.users["receiver"],
        purchase_order=po_line.purchase_order,
        lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=Decimal(quantity))],
    )


def test_partial_receipt_reserves_part_and_the_second_completes(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    line = order.lines.get()

    receive(world, po_line, "1")
    line.refresh_from_db()
    po_line.refresh_from_db()
    assert line.status == LineStatus.AWAITING_SUPPLY
    assert line.reserved_quantity == Decimal("1")
    assert Reservation.objects.get(sales_order_line=line).quantity == Decimal("1")
    assert (po_line.received_quantity, po_line.status) == (Decimal("1"), POLineStatus.OPEN)
    assert line.supply_orders.get().status == SupplyStatus.ORDERED

    receive(world, po_line, "1")
    line.refresh_from_db()
    po_line.refresh_from_db()
    assert line.status == LineStatus.AWAITING_SHIPPING
    assert Reservation.objects.get(sales_order_line=line).quantity == Decimal("2")
    assert po_line.status == POLineStatus.CLOSED_FOR_RECEIVING
    assert po_line.purchase_order.status == POStatus.CLOSED_FOR_RECEIVING
    assert line.supply_orders.get().status == SupplyStatus.RECEIVED
    assert OnHandBalance.objects.get(item=line.item).quantity == Decimal("2")
    assert Receipt.objects.count() == 2


@pytest.mark.parametrize("first, excess", [(None, "3"), ("1", "2")])
def test_over_receipt_is_refused_and_changes_nothing(world, drive_to_po, first, excess):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    if first:
        receive(world, po_line, first)
        po_line.refresh_from_db()
    before = snapshot()
    with pytest.raises(ValidationRefused, match=r"open to receive; .* is too much"):
        receive(world, po_line, excess)
    assert snapshot() == before


@pytest.mark.parametrize(
    "quantity, message",
    [("0", "Enter a received quantity"), ("-1", "greater than zero"), ("0.0001", "3 decimal")],
)
def test_bad_received_quantity_is_refused(world, drive_to_po, quantity, message):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    before = snapshot()
    with pytest.raises(ValidationRefused, match=message):
        receive(world, po_line, quantity)
    assert snapshot() == before


def test_receipt_reserves_only_for_the_pegged_line(world, drive_to_po):
    first, [_first_po_line] = drive_to_po(("SRV-DL380-G11", "1"))
    second, [second_po_line] = drive_to_po(("SRV-DL380-G11", "1"))
    receive(world, second_po_line, "1")
    assert Reservation.objects.get().sales_order_line == second.lines.get()
    assert first.lines.get().reserved_quantity == Decimal("0")
