"""``bulk_save_with_history`` writes each row's own values in one statement, one array a
column (``UPDATE ... FROM unnest(...)``), with a history row each, in the same statement."""

from datetime import timedelta
from decimal import Decimal

import pytest

from b2b_portal.bulk_writes import bulk_save_with_history
from orders.models import SalesOrderLine
from tests.helpers import place_order

pytestmark = pytest.mark.django_db


def test_each_row_gets_its_own_values_and_a_history_row(world, django_assert_num_queries):
    order = place_order(world, *[("SRV-DL380-G11", "1")] * 7)
    lines = list(order.lines.order_by("pk"))
    for number, line in enumerate(lines, start=1):
        line.days_late = number
        line.scheduled_ship_date = None if number % 2 else line.requested_date + timedelta(number)
        line.reserved_quantity = Decimal(number) / 1000

    with django_assert_num_queries(1):  # the update and its history rows
        bulk_save_with_history(
            lines,
            ["days_late", "scheduled_ship_date", "reserved_quantity"],
            actor=world.users["ops"],
            reason="test",
        )

    saved = SalesOrderLine.objects.filter(order=order).order_by("pk")
    assert [
        (line.days_late, line.scheduled_ship_date, line.reserved_quantity) for line in saved
    ] == [(line.days_late, line.scheduled_ship_date, line.reserved_quantity) for line in lines]
    assert [line.history.count() for line in saved] == [3] * 7  # created, booked, this
