"""``bulk_save_with_history`` writes each row's own values in one statement per at most
65,535 parameters (``UPDATE ... FROM (VALUES ...)``), with a history row each."""

from datetime import timedelta
from decimal import Decimal

import pytest

from b2b_portal import transitions
from b2b_portal.transitions import bulk_save_with_history
from orders.models import SalesOrderLine
from tests.helpers import place_order

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("max_parameters", [65535, 12])  # 1 statement; 3 rows a statement
def test_each_row_gets_its_own_values_and_a_history_row(
    world, monkeypatch, django_assert_num_queries, max_parameters
):
    monkeypatch.setattr(transitions, "MAX_PARAMETERS", max_parameters)
    order = place_order(world, *[("SRV-DL380-G11", "1")] * 7)
    lines = list(order.lines.order_by("pk"))
    for number, line in enumerate(lines, start=1):
        line.days_late = number
        line.scheduled_ship_date = None if number % 2 else line.requested_date + timedelta(number)
        line.reserved_quantity = Decimal(number) / 1000

    statements = 1 if max_parameters == 65535 else 3
    with django_assert_num_queries(statements + 1):  # the updates, then the history rows
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
