"""On-hand is always the sum of the item's transactions in the warehouse; a reservation holds
on-hand for one sales order line, is released back to on-hand, or is consumed by shipping."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum

from b2b_portal.errors import ValidationRefused
from inventory.locks import balances_lock
from inventory.models import InventoryTransaction, OnHandBalance, Reservation, TransactionType
from inventory.services import (
    StockLine,
    balances_save,
    reservation_release,
    reservations_add,
    reservations_issue,
    stock_adjust,
    stock_receive,
)
from orders.models import LineStatus
from tests.helpers import history_users, on_hand, place_order, snapshot

pytestmark = pytest.mark.django_db

CABLE = "CBL-CAT6-3M"


def transactions_total(world, item=CABLE) -> Decimal:
    return InventoryTransaction.objects.filter(
        item=world.items[item], warehouse=world.warehouses["M1"]
    ).aggregate(total=Sum("quantity"))["total"]


def adjust(world, quantity, item=CABLE):
    return stock_adjust(
        actor=world.users["admin"],
        item=world.items[item],
        warehouse=world.warehouses["M1"],
        quantity=Decimal(quantity),
        reason="count",
    )


@pytest.fixture
def cable_line(world):
    """A booked order line of 10 cables, nothing reserved yet."""
    return place_order(world, (CABLE, "10")).lines.get()


@transaction.atomic
def moved(world, username, move, lines: list[StockLine], **kwargs):
    """What a document does with its lines' stock: lock their balances in M1, ``move``
    them and the lines in memory, write the balances and the sales order lines."""
    actor, warehouse = world.users[username], world.warehouses["M1"]
    balances = balances_lock(item_ids=[line.item_id for line in lines], warehouse=warehouse)
    move(actor=actor, balances=balances, lines=lines, **kwargs)
    balances_save(balances.values(), actor=actor, reason="test")
    for line in lines:
        if line.sales_order_line:
            line.sales_order_line.save()


def reserve(world, line, quantity) -> Reservation:
    lines = [StockLine.of(line, Decimal(quantity))]
    moved(world, "manager", reservations_add, lines, warehouse=world.warehouses["M1"])
    return Reservation.objects.get(sales_order_line=line)


def issue_reserved(world, line, quantity) -> Reservation:
    lines = [StockLine.of(line, Decimal(quantity))]
    moved(world, "shipper", reservations_issue, lines, source_reference="SHP-TEST")
    return Reservation.objects.get(sales_order_line=line)


def test_on_hand_is_the_sum_of_the_transactions(world, cable_line):
    adjust(world, "25")
    adjust(world, "-5")
    received = [StockLine(world.items[CABLE].pk, Decimal("40"))]
    moved(world, "receiver", stock_receive, received, source_reference="RCV-TEST")
    reserve(world, cable_line, "10")
    issue_reserved(world, cable_line, "4")

    assert on_hand(world, CABLE) == (Decimal("556"), Decimal("6"))
    assert transactions_total(world) == Decimal("556")
    kinds = InventoryTransaction.objects.values_list("transaction_type", flat=True)
    assert sorted(kinds) == sorted(
        [TransactionType.ADJUSTMENT] * 3 + [TransactionType.PO_RECEIPT, TransactionType.SALES_ISSUE]
    )


def test_an_adjustment_below_the_reserved_quantity_is_refused(world, cable_line):
    reserve(world, cable_line, "10")
    before = snapshot()
    with pytest.raises(ValidationRefused) as refused:
        adjust(world, "-491")
    assert refused.value.message == (
        "CBL-CAT6-3M in M1 has 10 reserved; an adjustment cannot take on-hand below that."
    )
    assert snapshot() == before
    assert transactions_total(world) == on_hand(world, CABLE)[0]


def test_a_reservation_holds_stock_for_its_line_only(world, cable_line):
    reservation = reserve(world, cable_line, "10")

    assert (reservation.sales_order_line, reservation.quantity) == (cable_line, Decimal("10"))
    cable_line.refresh_from_db()
    assert (cable_line.status, cable_line.reserved_quantity) == (
        LineStatus.AWAITING_SHIPPING,
        Decimal("10"),
    )
    assert on_hand(world, CABLE) == (Decimal("500"), Decimal("10"))
    assert OnHandBalance.objects.get(item=world.items[CABLE]).available_quantity == Decimal("490")
    assert history_users(reservation) == ["manager"]


def test_a_partial_reservation_leaves_the_line_waiting(world, cable_line):
    reserve(world, cable_line, "4")
    cable_line.refresh_from_db()
    assert (cable_line.status, cable_line.reserved_quantity) == (LineStatus.BOOKED, Decimal("4"))
    reserve(world, cable_line, "6")
    assert Reservation.objects.get(sales_order_line=cable_line).quantity == Decimal("10")
    cable_line.refresh_from_db()
    assert cable_line.status == LineStatus.AWAITING_SHIPPING


@pytest.mark.parametrize(
    "stock_left, quantity, message",
    [
        ("-495", "10", "Only 5 of CBL-CAT6-3M is available in M1; 10 cannot be reserved."),
        ("0", "11", "{line} does not need 11 more."),
    ],
)
def test_reserving_more_than_available_or_needed_is_refused(
    world, cable_line, stock_left, quantity, message
):
    adjust(world, stock_left)
    before = snapshot()
    with pytest.raises(ValidationRefused) as refused:
        reserve(world, cable_line, quantity)
    assert refused.value.message == message.format(line=cable_line)
    assert snapshot() == before


def test_releasing_gives_the_stock_back_to_on_hand(world, cable_line):
    reserve(world, cable_line, "10")
    reservation = reservation_release(actor=world.users["clerk"], sales_order_line=cable_line)
    cable_line.save()  # the caller saves the line and moves its status

    assert reservation.quantity == Decimal("0")
    cable_line.refresh_from_db()
    assert cable_line.reserved_quantity == Decimal("0")
    assert on_hand(world, CABLE) == (Decimal("500"), Decimal("0"))
    assert history_users(reservation) == ["manager", "clerk"]
    assert reservation.history.first().history_change_reason == "released"
    assert InventoryTransaction.objects.count() == 1  # only the opening balance: no movement


def test_shipping_consumes_the_reservation_and_issues_the_stock(world, cable_line):
    reserve(world, cable_line, "10")
    reservation = issue_reserved(world, cable_line, "10")

    assert reservation.quantity == Decimal("0")
    assert (cable_line.reserved_quantity, cable_line.shipped_quantity) == (
        Decimal("0"),
        Decimal("10"),
    )
    assert on_hand(world, CABLE) == (Decimal("490"), Decimal("0"))
    issue = InventoryTransaction.objects.get(transaction_type=TransactionType.SALES_ISSUE)
    assert (issue.quantity, issue.sales_order_line, issue.created_by) == (
        Decimal("-10"),
        cable_line,
        world.users["shipper"],
    )


def test_shipping_more_than_is_reserved_is_refused(world, cable_line):
    reserve(world, cable_line, "4")
    before = snapshot()
    with pytest.raises(ValidationRefused) as refused:
        issue_reserved(world, cable_line, "5")
    assert refused.value.message == f"{cable_line} has only 4 reserved; 5 cannot be shipped."
    assert snapshot() == before
