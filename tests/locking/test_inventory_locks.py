"""Stock services lock only their own rows: the balance, then the reservation, under the lock
of the sales order line the caller holds. ``reservations_add`` and ``reservations_issue`` are
inspected through receipts and ship confirm (tests/locking/test_receiving_locks.py and
test_shipping_locks.py); here the stock services other apps call on their own."""

from decimal import Decimal

import pytest

from inventory.models import OnHandBalance, Reservation
from inventory.services import reservation_release, stock_adjust, stocked_lines_reserve
from orders.locks import sales_order_lines_for_update
from orders.models import LineStatus
from tests.helpers import on_hand, place_order, receive
from tests.locking.support import assert_locks_only_own_rows, lock_order, locking_statements

pytestmark = pytest.mark.django_db

CABLE = "CBL-CAT6-3M"  # stocked, with opening stock in M1


def test_stock_adjust_locks_only_the_balance(world):
    before, _ = on_hand(world, CABLE)

    statements = locking_statements(
        lambda: stock_adjust(
            actor=world.users["admin"],
            item=world.items[CABLE],
            warehouse=world.warehouses["M1"],
            quantity=Decimal("5"),
            reason="cycle count",
        )
    )

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == ["inventory_onhandbalance"]
    assert on_hand(world, CABLE)[0] == before + 5


def test_reservation_release_locks_the_balance_then_the_reservation(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    receive(world, po_line, "2")
    line = order.lines.get()

    def release():
        # As its callers do: the SO line first.
        locked = sales_order_lines_for_update().get(pk=line.pk)
        reservation_release(actor=world.users["manager"], sales_order_line=locked)

    statements = locking_statements(release)

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == [
        "orders_salesorderline",
        "inventory_onhandbalance",
        "inventory_reservation",
    ]
    assert Reservation.objects.get(sales_order_line=line).quantity == Decimal("0")
    assert OnHandBalance.objects.get(item=line.item).reserved_quantity == Decimal("0")


def test_stocked_lines_reserve_locks_lines_balances_then_reservations(world):
    order = place_order(world, (CABLE, "10"))

    statements = locking_statements(
        lambda: stocked_lines_reserve(actor=world.users["manager"], sales_order=order)
    )

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == [
        "orders_salesorderline",
        "inventory_onhandbalance",
        "inventory_reservation",
    ]
    line = order.lines.get()
    assert (line.status, line.reserved_quantity) == (LineStatus.AWAITING_SHIPPING, Decimal("10"))
