"""The history rows ``bulk_create_with_history`` and ``bulk_save_with_history`` write
(``b2b_portal.bulk_writes``): one per object, in the objects' order, with the row's values
as saved, the user and reason stamped on the object (else the call's), and a constant
number of statements whatever the rows: on PostgreSQL the write and its history are one
statement."""

from decimal import Decimal

import pytest
from django.db import connection

from b2b_portal.bulk_writes import (
    HISTORY_REASON_MAX_LENGTH,
    bulk_create_with_history,
    bulk_save_together,
    bulk_save_with_history,
    history_insert,
    insert_selected,
)
from b2b_portal.transitions import stamp_history
from orders.models import SalesOrder, SalesOrderLine
from procurement.models import Requisition, SupplyOrder
from procurement.services.supply_orders import SUPPLY_FROM_LINE
from tests.helpers import place_order

pytestmark = pytest.mark.django_db


def test_created_rows_get_a_history_row_each_with_their_values(world, django_assert_num_queries):
    buyer, ops = world.users["buyer"], world.users["ops"]
    requisitions = [
        Requisition(business_unit=world.units["US1"], preparer=buyer, description=f"r{n}")
        for n in range(3)
    ]
    stamp_history(requisitions[1], actor=ops, reason="stamped")

    # New rows stamped with users of their own: the rows, then their history.
    with django_assert_num_queries(2):
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


@pytest.mark.parametrize("rows", [2, 30])
def test_rows_created_by_one_actor_are_written_with_their_history_in_one_statement(
    world, django_assert_num_queries, rows
):
    buyer = world.users["buyer"]
    requisitions = [
        Requisition(business_unit=world.units["US1"], preparer=buyer, description=f"r{n}")
        for n in range(rows)
    ]

    with django_assert_num_queries(1):
        bulk_create_with_history(
            requisitions, Requisition, default_user=buyer, default_change_reason="made"
        )

    pks = [requisition.pk for requisition in requisitions]
    assert pks == sorted(pks) and None not in pks
    assert list(Requisition.objects.order_by("pk").values_list("pk", "description")) == [
        (requisition.pk, requisition.description) for requisition in requisitions
    ]
    history = Requisition.history.order_by("history_id")
    assert [
        (row.id, row.description, row.history_user, row.history_change_reason) for row in history
    ] == [(requisition.pk, requisition.description, buyer, "made") for requisition in requisitions]


def test_rows_are_written_without_history_when_history_is_off(world, settings):
    settings.SIMPLE_HISTORY_ENABLED = False
    buyer = world.users["buyer"]
    requisitions = [
        Requisition(business_unit=world.units["US1"], preparer=buyer, description=f"r{n}")
        for n in range(3)
    ]

    bulk_create_with_history(
        requisitions, Requisition, default_user=buyer, default_change_reason="made"
    )
    for requisition in requisitions:
        requisition.description += " changed"
    bulk_save_with_history(requisitions, ["description"], actor=buyer, reason="changed")

    assert list(Requisition.objects.order_by("pk").values_list("pk", "description")) == [
        (requisition.pk, requisition.description) for requisition in requisitions
    ]
    assert not Requisition.history.exists()


@pytest.mark.parametrize("lines", [5, 40])
def test_saved_rows_get_a_history_row_each_as_saved(world, django_assert_num_queries, lines):
    order = place_order(world, *[("SRV-DL380-G11", "1")] * lines)
    saved = list(order.lines.order_by("-pk"))  # history follows the objects' order
    for number, line in enumerate(saved):
        line.days_late = number
        stamp_history(line, actor=world.users["ops" if number % 2 else "shipper"], reason="x" * 300)
    saved[0]._change_reason = ""  # no reason of its own: the call's
    before = SalesOrderLine.history.latest("history_id").history_id

    with django_assert_num_queries(1):  # the update and its history rows
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


def test_batches_of_two_models_are_saved_with_their_history_in_one_statement(
    world, django_assert_num_queries
):
    """``bulk_save_together``: each batch's rows as saved, each with a history row of its
    own stamp (else the call's), in one statement."""
    order = place_order(world, *[("SRV-DL380-G11", "1")] * 3, book=False)
    lines = list(order.lines.order_by("pk"))
    for number, line in enumerate(lines, start=1):
        line.days_late = number
    stamp_history(lines[0], actor=world.users["shipper"], reason="stamped")
    order.customer_po_number = "PO-TOGETHER"
    ops = world.users["ops"]
    before = {
        model: model.history.latest("history_id").history_id
        for model in (SalesOrder, SalesOrderLine)
    }

    with django_assert_num_queries(1):
        bulk_save_together(
            [(lines, ["days_late"]), ([order], ["customer_po_number"])], actor=ops, reason="both"
        )

    assert list(
        SalesOrderLine.objects.filter(order=order)
        .order_by("pk")
        .values_list("days_late", flat=True)
    ) == [1, 2, 3]
    line_history = SalesOrderLine.history.filter(history_id__gt=before[SalesOrderLine])
    assert [
        (row.id, row.days_late, row.history_user.username, row.history_change_reason)
        for row in line_history.order_by("history_id")
    ] == [
        (lines[0].pk, 1, "shipper", "stamped"),
        (lines[1].pk, 2, "ops", "both"),
        (lines[2].pk, 3, "ops", "both"),
    ]
    [order_row] = SalesOrder.history.filter(history_id__gt=before[SalesOrder])
    assert (order_row.customer_po_number, order_row.history_user, order_row.history_type) == (
        "PO-TOGETHER",
        ops,
        "~",
    )


def test_rows_inserted_from_a_query_get_their_defaults_and_a_history_row_each(
    world, django_assert_num_queries
):
    """``insert_selected``: what the query computes, every other column as ``model()``
    gives it, a history row each with the actor and reason, in two statements."""
    manager = world.users["manager"]
    order = place_order(world, ("SRV-DL380-G11", "2"), ("SRV-R760-XA", "1"), book=False)
    lines = SalesOrderLine.objects.filter(order=order)

    with django_assert_num_queries(2):  # the rows, then their history
        pks = insert_selected(SupplyOrder, lines, SUPPLY_FROM_LINE, actor=manager, reason="made")

    made = list(SupplyOrder.objects.filter(pk__in=pks).order_by("pk"))
    assert [(so.sales_order_line_id, so.item_id, so.quantity) for so in made] == [
        (line.pk, line.item_id, line.quantity) for line in lines.order_by("pk")
    ]
    fresh = SupplyOrder()
    for supply_order in made:
        assert (supply_order.status, supply_order.exception_reason, supply_order.awaits_buyer) == (
            fresh.status,
            fresh.exception_reason,
            fresh.awaits_buyer,
        )
        assert supply_order.created_at == supply_order.updated_at is not None
        assert supply_order.business_unit_id == order.business_unit_id
    history = SupplyOrder.history.filter(id__in=pks).order_by("history_id")
    rows = [
        (row.id, row.history_type, row.history_user, row.history_change_reason) for row in history
    ]
    assert rows == [(pk, "+", manager, "made") for pk in pks]


def test_rows_inserted_from_a_query_take_the_values_given_for_each_row(
    world, django_assert_num_queries
):
    """``insert_selected``'s ``given``: a value per source row that Python decided, joined
    to the query's in the same statement; ``returning``: fields of the new rows."""
    order = place_order(world, *[("SRV-DL380-G11", "1")] * 3, book=False)
    lines = SalesOrderLine.objects.filter(order=order)
    given = {line.pk: Decimal(10 + line.line_number) for line in lines}
    computed = {name: value for name, value in SUPPLY_FROM_LINE.items() if name != "quantity"}

    with django_assert_num_queries(2):
        rows = insert_selected(
            SupplyOrder,
            lines,
            computed,
            given={"quantity": given},
            returning=("sales_order_line", "quantity"),
            actor=world.users["manager"],
            reason="made",
        )

    made = SupplyOrder.objects.filter(pk__in=[row.pk for row in rows]).order_by("pk")
    assert [(so.sales_order_line_id, so.quantity) for so in made] == sorted(given.items())
    # What ``returning`` names comes back with each new row's pk, read by no other query.
    assert [(row.pk, row.sales_order_line_id, row.quantity) for row in rows] == [
        (so.pk, so.sales_order_line_id, so.quantity) for so in made
    ]
    assert SupplyOrder.history.filter(id__in=[row.pk for row in rows]).count() == 3


def test_rows_read_with_few_fields_get_their_history_in_two_statements_on_sqlite(
    world, monkeypatch, django_assert_num_queries
):
    """``history_insert`` on the laptop's database (simple_history, which copies every
    field): rows a batch process read with only their status get their history from one
    read of the other fields, not from a query a row and field."""
    ops = world.users["ops"]
    order = place_order(world, ("SRV-DL380-G11", "1"), ("SRV-R760-XA", "2"), book=False)
    whole = list(SalesOrderLine.objects.filter(order=order).order_by("pk"))
    lean = list(SalesOrderLine.objects.filter(order=order).only("status").order_by("pk"))
    monkeypatch.setattr(connection, "vendor", "sqlite")

    with django_assert_num_queries(2):  # the missing fields, then the history rows
        history_insert(SalesOrderLine, lean, changed=True, actor=ops, reason="read lean")

    history = SalesOrderLine.history.filter(history_change_reason="read lean").order_by(
        "history_id"
    )
    assert [(row.id, row.item_id, row.quantity, row.history_user) for row in history] == [
        (line.pk, line.item_id, line.quantity, ops) for line in whole
    ]


def test_bulk_created_rows_take_their_parents_keys_and_stamps_as_bulk_create_would(world):
    """``bulk_create_with_history``'s own insert on PostgreSQL: a line takes the key of
    the order saved after it was built, timestamps are stamped, a value of another type
    (a float price, a choice) is prepared as Django would, and the pks come back."""
    clerk = world.users["clerk"]
    order = place_order(world, ("SRV-DL380-G11", "1"), book=False)
    lines = [
        SalesOrderLine(
            order=order,
            line_number=n,
            item=world.items["SRV-DL380-G11"],
            quantity=Decimal("2"),
            unit_selling_price=1250.5 if n == 2 else Decimal("99.90"),
            requested_date=order.requested_date,
        )
        for n in (2, 3)
    ]

    made = bulk_create_with_history(
        lines, SalesOrderLine, default_user=clerk, default_change_reason="added"
    )

    saved = SalesOrderLine.objects.filter(pk__in=[line.pk for line in made]).order_by("pk")
    assert [(line.order_id, line.line_number, line.unit_selling_price) for line in saved] == [
        (order.pk, 2, Decimal("1250.50")),
        (order.pk, 3, Decimal("99.90")),
    ]
    assert all(line.created_at == line.updated_at is not None for line in saved)
    assert [line.status for line in saved] == [SalesOrderLine().status] * 2
    assert [line._state.adding for line in made] == [False, False]

    line_of_unsaved_order = SalesOrderLine(order=type(order)(), line_number=1)
    with pytest.raises(ValueError, match="not saved yet"):
        bulk_create_with_history(
            [line_of_unsaved_order], SalesOrderLine, default_user=clerk, default_change_reason="x"
        )


def test_batches_saved_together_on_sqlite_are_saved_one_after_the_other(world, monkeypatch):
    """The laptop's database: each batch by Django's update (``bulk_update`` where values
    differ), then its history by simple_history, with the same rows and stamps."""
    order = place_order(world, *[("SRV-DL380-G11", "1")] * 2, book=False)
    lines = list(order.lines.order_by("pk"))
    lines[0].days_late, lines[1].days_late = 4, 5
    order.customer_po_number = "PO-LAPTOP"
    monkeypatch.setattr(connection, "vendor", "sqlite")

    bulk_save_together(
        [(lines, ["days_late"]), ([order], ["customer_po_number"])],
        actor=world.users["ops"],
        reason="laptop",
    )

    assert list(order.lines.order_by("pk").values_list("days_late", flat=True)) == [4, 5]
    assert SalesOrder.objects.get(pk=order.pk).customer_po_number == "PO-LAPTOP"
    assert [
        row.days_late
        for row in SalesOrderLine.history.filter(history_change_reason="laptop").order_by(
            "history_id"
        )
    ] == [4, 5]
    assert SalesOrder.history.filter(
        history_change_reason="laptop", customer_po_number="PO-LAPTOP"
    ).exists()
