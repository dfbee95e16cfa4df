"""The history rows ``bulk_create_with_history`` and ``bulk_save_with_history`` write
(``b2b_portal.transitions.history_insert``): one per object, in the objects' order, with the
row's values as saved, the user and reason stamped on the object (else the call's), and a
constant number of statements whatever the rows."""

import pytest

from b2b_portal.transitions import (
    HISTORY_REASON_MAX_LENGTH,
    bulk_create_with_history,
    bulk_save_with_history,
    stamp_history,
)
from orders.models import SalesOrderLine
from procurement.models import Requisition
from tests.helpers import place_order

pytestmark = pytest.mark.django_db


def test_created_rows_get_a_history_row_each_with_their_values(world, django_assert_num_queries):
    buyer, ops = world.users["buyer"], world.users["ops"]
    requisitions = [
        Requisition(business_unit=world.units["US1"], preparer=buyer, description=f"r{n}")
        for n in range(3)
    ]
    stamp_history(requisitions[1], actor=ops, reason="stamped")

    with django_assert_num_queries(2):  # the rows, then their history
        created = bulk_create_with_history(
            requisitions, Requisition, default_user=buyer, default_change_reason="made"
        )

    history = list(Requisition.history.order_by("history_id"))
    assert [(row.id, row.description, row.preparer_id) for row in history] == [
        (requisition.pk, requisition.description, buyer.pk) for requisition in created
    ]
    assert [(row.history_type, row.history_user, row.history_change_reason) for row in history] == [
        ("+", buyer, "made"),
        ("+", ops, "stamped"),
        ("+", buyer, "made"),
    ]


@pytest.mark.parametrize("lines", [5, 40])
def test_saved_rows_get_a_history_row_each_as_saved(world, django_assert_num_queries, lines):
    order = place_order(world, *[("SRV-DL380-G11", "1")] * lines)
    saved = list(order.lines.order_by("-pk"))  # history follows the objects' order
    for number, line in enumerate(saved):
        line.days_late = number
        stamp_history(line, actor=world.users["ops" if number % 2 else "shipper"], reason="x" * 300)
    saved[0]._change_reason = ""  # no reason of its own: the call's
    before = SalesOrderLine.history.latest("history_id").history_id

    with django_assert_num_queries(2):  # the update, then the history rows
        bulk_save_with_history(saved, ["days_late"], actor=world.users["ops"], reason="late")

    history = list(SalesOrderLine.history.filter(history_id__gt=before).order_by("history_id"))
    long_reason = "x" * (HISTORY_REASON_MAX_LENGTH - 1) + "…"
    assert [
        (row.id, row.days_late, row.status, row.history_type, row.history_user.username)
        for row in history
    ] == [
        (line.pk, number, line.status, "~", "ops" if number % 2 else "shipper")
        for number, line in enumerate(saved)
    ]
    assert [row.history_change_reason for row in history] == ["late"] + [long_reason] * (lines - 1)
    assert len({row.history_date for row in history}) == 1
