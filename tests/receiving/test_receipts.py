"""receipt_create: the goods go on hand and exactly the received quantity is reserved for the
sales order line the PO line is pegged to; a partial receipt reserves partly; more than is
open is refused and changes nothing."""

from decimal import Decimal

import pytest

from b2b_portal.errors import PermissionRefused, ValidationRefused
from inventory.models import InventoryTransaction, Reservation, TransactionType
from orders.models import LineStatus
from procurement.models import POLineStatus, POStatus, SupplyStatus
from receiving.models import Receipt
from receiving.services import ReceiptLineInput, receipt_create
from tests.helpers import history_users, on_hand, receive, snapshot, unit_user

pytestmark = pytest.mark.django_db


def test_a_receipt_reserves_exactly_for_the_pegged_line(world, drive_to_po):
    first, [_first_po_line] = drive_to_po(("SRV-DL380-G11", "1"))
    second, [second_po_line] = drive_to_po(("SRV-DL380-G11", "3"))

    receipt = receive(world, second_po_line, "2")

    receipt_line = receipt.lines.get()
    pegged = second.lines.get()
    assert (receipt_line.sales_order_line, receipt_line.quantity) == (pegged, Decimal("2"))
    assert receipt_line.reserved_quantity == Decimal("2")
    reservation = Reservation.objects.get()
    assert (reservation.sales_order_line, reservation.quantity) == (pegged, Decimal("2"))
    assert first.lines.get().reserved_quantity == Decimal("0")
    assert on_hand(world) == (Decimal("2"), Decimal("2"))
    movement = InventoryTransaction.objects.get(transaction_type=TransactionType.PO_RECEIPT)
    assert (movement.quantity, movement.source_reference) == (Decimal("2"), receipt.number)
    assert (movement.sales_order_line, movement.created_by) == (pegged, world.users["receiver"])
    assert (receipt.warehouse, receipt.received_by) == (
        world.warehouses["M1"],
        world.users["receiver"],
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
    assert po_line.purchase_order.status == POStatus.OPEN
    assert line.supply_orders.get().status == SupplyStatus.ORDERED

    receive(world, po_line, "1")
    line.refresh_from_db()
    po_line.refresh_from_db()
    assert line.status == LineStatus.AWAITING_SHIPPING
    assert Reservation.objects.get(sales_order_line=line).quantity == Decimal("2")
    assert po_line.status == POLineStatus.CLOSED_FOR_RECEIVING
    assert po_line.purchase_order.status == POStatus.CLOSED_FOR_RECEIVING
    assert line.supply_orders.get().status == SupplyStatus.RECEIVED
    assert on_hand(world) == (Decimal("2"), Decimal("2"))
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


def test_a_line_of_another_po_is_refused(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "1"))
    _, [other_line] = drive_to_po(("SRV-R760-XA", "1"))
    before = snapshot()
    with pytest.raises(ValidationRefused, match="Some lines do not belong to"):
        receipt_create(
            actor=world.users["receiver"],
            purchase_order=po_line.purchase_order,
            lines=[ReceiptLineInput(purchase_order_line=other_line, quantity=Decimal("1"))],
        )
    assert snapshot() == before


def test_a_receiver_of_another_unit_is_refused(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "1"))
    before = snapshot()
    with pytest.raises(PermissionRefused, match="does not work in this document's business unit"):
        receipt_create(
            actor=unit_user(world, "eu_receiver", "Receiving Agent"),
            purchase_order=po_line.purchase_order,
            lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=Decimal("1"))],
        )
    assert snapshot() == before


def test_the_receipt_and_what_it_moves_are_in_history_as_the_receiver(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    receipt = receive(world, po_line, "2")

    assert history_users(receipt) == ["receiver"]
    assert receipt.history.get().history_change_reason == "received"
    assert history_users(receipt.lines.get()) == ["receiver"]
    assert history_users(Reservation.objects.get()) == ["receiver"]
    line = order.lines.get()
    assert history_users(line)[-1] == "receiver"
    assert line.history.first().status == LineStatus.AWAITING_SHIPPING
    po_line.refresh_from_db()
    assert history_users(po_line)[-1] == "receiver"
    assert po_line.history.first().status == POLineStatus.CLOSED_FOR_RECEIVING
