"""Entering and booking orders; the header status derived from its lines."""

from decimal import Decimal

import pytest

from b2b_portal.errors import PermissionRefused, ValidationRefused
from orders.models import LineStatus, SalesOrder, derive_order_status
from orders.services import sales_order_book
from tests.helpers import place_order, snapshot

pytestmark = pytest.mark.django_db


def test_prices_default_from_the_item_and_booking_books_every_line(world):
    order = place_order(world, ("SRV-DL380-G11", "2"), ("STO-A400-96T", "1"), book=False)
    assert order.status == LineStatus.ENTERED
    assert [line.unit_selling_price for line in order.lines.all()] == [
        Decimal("48500.00"),
        Decimal("132000.00"),
    ]
    assert order.total_amount == Decimal("229000.00")
    sales_order_book(actor=world.users["clerk"], sales_order=order)
    assert order.status == LineStatus.BOOKED
    assert order.booked_by == world.users["clerk"]


def test_booking_twice_is_refused(world):
    order = place_order(world, ("SRV-DL380-G11", "1"))
    before = snapshot()
    with pytest.raises(ValidationRefused, match="no entered lines to book"):
        sales_order_book(actor=world.users["clerk"], sales_order=order)
    assert snapshot() == before


@pytest.mark.parametrize(
    "lines, message",
    [
        ((("SRV-DL380-G11", "0"),), "greater than zero"),
        ((("SRV-DL380-G11", "-2"),), "greater than zero"),
        ((("SRV-DL380-G11", "1.0001"),), "at most 3 decimal places"),
        ((("SRV-DL380-G11", "1000000000000"),), "at most 99,999,999,999.999"),
        ((("SRV-DL380-EU", "1"),), "belongs to another business unit"),
        ((), "at least one line"),
    ],
)
def test_bad_order_input_is_refused_and_nothing_is_written(world, lines, message):
    before = snapshot()
    with pytest.raises(ValidationRefused, match=message):
        place_order(world, *lines, book=False)
    assert snapshot() == before
    assert SalesOrder.objects.count() == 0


def test_a_change_of_the_clerk_s_units_counts_from_the_next_call(world):
    """The clerk's units are read once per user object (``catalog.units``): added to EU1 by
    the unit, the same object may enter and book there; removed, it may not book there any
    more, and nothing is written."""
    eu_order = {"customer": "C-2001", "unit": "EU1", "warehouse": "E1"}
    clerk = world.users["clerk"]
    with pytest.raises(PermissionRefused, match="does not work in"):
        place_order(world, ("SRV-DL380-EU", "1"), **eu_order, book=False)
    world.units["EU1"].members.add(clerk)
    booked = place_order(world, ("SRV-DL380-EU", "1"), **eu_order)
    entered = place_order(world, ("SRV-DL380-EU", "2"), **eu_order, book=False)
    assert (booked.status, booked.booked_by) == (LineStatus.BOOKED, clerk)
    world.units["EU1"].members.remove(clerk)
    before = snapshot()
    with pytest.raises(PermissionRefused, match="does not work in"):
        sales_order_book(actor=clerk, sales_order=entered)
    assert snapshot() == before
    assert entered.status == LineStatus.ENTERED


@pytest.mark.parametrize(
    "statuses, expected",
    [
        ([], LineStatus.ENTERED),
        ([LineStatus.CANCELLED, LineStatus.CANCELLED], LineStatus.CANCELLED),
        ([LineStatus.SHIPPED, LineStatus.AWAITING_SUPPLY], LineStatus.AWAITING_SUPPLY),
        ([LineStatus.CLOSED, LineStatus.CANCELLED], LineStatus.CLOSED),
        ([LineStatus.BILLED, LineStatus.CLOSED], LineStatus.BILLED),
    ],
)
def test_header_status_is_the_least_advanced_live_line(statuses, expected):
    assert derive_order_status(statuses) == expected
