"""Receipts lock only their own rows, in the documented order; two receipts at once never
receive more than was ordered, and receipts of the same items in opposite order both finish."""

import time
from decimal import Decimal

import pytest

from b2b_portal.errors import ValidationRefused
from inventory.models import OnHandBalance, Reservation
from orders.models import LineStatus
from procurement.models import PurchaseOrderLine
from receiving import services as receiving_services
from receiving.models import Receipt, ReceiptLine
from receiving.services import ReceiptLineInput, receipt_create
from tests.helpers import receive
from tests.locking.support import (
    assert_locks_only_own_rows,
    lock_order,
    locking_statements,
    run_concurrently,
)

# Two items of one supplier (S-200): an order of both is one PO of two lines.
STORAGE = "STO-A400-96T"
NVME = "STO-X70-R4"


def receive_in_full(world, po_lines: list[PurchaseOrderLine]) -> Receipt:
    """One receipt of every given line of one PO, in the order given."""
    return receipt_create(
        actor=world.users["receiver"],
        purchase_order=po_lines[0].purchase_order,
        lines=[
            ReceiptLineInput(purchase_order_line=line, quantity=line.quantity) for line in po_lines
        ],
    )


@pytest.mark.django_db
def test_receipt_create_locks_only_its_own_rows_in_the_documented_order(world, drive_to_po):
    order, po_lines = drive_to_po((STORAGE, "1"), (NVME, "2"))

    statements = locking_statements(lambda: receive_in_full(world, po_lines))

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == [
        "procurement_purchaseorder",
        "procurement_purchaseorderline",
        "orders_salesorderline",
        "inventory_onhandbalance",
        "procurement_supplyorder",
        "inventory_reservation",
        "suppliers_shipnotice",  # the PO's notices on the way (none here), after its PO
    ]
    assert set(order.lines.values_list("status", flat=True)) == {LineStatus.AWAITING_SHIPPING}


@pytest.mark.django_db(transaction=True)
def test_two_receipts_of_one_po_line_at_once_never_receive_more_than_ordered(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "3"))

    outcomes = run_concurrently(
        lambda: receive(world, po_line, "2"), lambda: receive(world, po_line, "2")
    )

    [refused] = [outcome for outcome in outcomes if isinstance(outcome, ValidationRefused)]
    assert refused.message == f"{po_line} has 1 open to receive; 2 is too much."
    assert Receipt.objects.count() == 1
    po_line.refresh_from_db()
    line = order.lines.get()
    assert po_line.received_quantity == Decimal("2")
    assert ReceiptLine.objects.get().quantity == Decimal("2")
    assert (line.reserved_quantity, line.status) == (Decimal("2"), LineStatus.AWAITING_SUPPLY)
    assert OnHandBalance.objects.get(item=line.item).quantity == Decimal("2")


@pytest.mark.django_db(transaction=True)
def test_receipts_of_the_same_items_in_opposite_order_both_complete(
    world, drive_to_po, monkeypatch
):
    """Each receipt lines its items up the other way round, and lingers after moving them, so
    that without the balances locked in item order up front each would hold one balance
    and wait for the other's. The balances do not exist yet: both receipts create them."""
    first, first_po_lines = drive_to_po((STORAGE, "1"), (NVME, "1"))
    second, second_po_lines = drive_to_po((NVME, "2"), (STORAGE, "2"))
    assert [line.item.number for line in second_po_lines] == [NVME, STORAGE]
    stock_receive = receiving_services.stock_receive

    def lingering_stock_receive(**kwargs):
        stock_receive(**kwargs)
        time.sleep(0.3)

    monkeypatch.setattr(receiving_services, "stock_receive", lingering_stock_receive)

    outcomes = run_concurrently(
        lambda: receive_in_full(world, first_po_lines),
        lambda: receive_in_full(world, second_po_lines),
    )

    assert [type(outcome) for outcome in outcomes] == [Receipt, Receipt]
    for number in (STORAGE, NVME):
        balance = OnHandBalance.objects.get(item=world.items[number])
        assert (balance.quantity, balance.reserved_quantity) == (Decimal("3"), Decimal("3"))
    for order in (first, second):
        assert set(order.lines.values_list("status", flat=True)) == {LineStatus.AWAITING_SHIPPING}
    assert Reservation.objects.count() == 4
