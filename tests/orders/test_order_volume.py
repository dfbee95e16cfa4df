"""Entering and booking an order costs the same statements whatever its lines (issue 13):
the lines and their history rows are written in bulk, the items read with the lines."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orchestration.services import sales_order_cancel
from orders.exceptions import ItemNotBookable
from orders.models import LineStatus, SalesOrderLine
from orders.services import OrderLineInput, sales_order_book, sales_order_create
from processes.models import ProcessRun, RunStatus
from procurement.models import POLineStatus, PurchaseOrderLine, SupplyOrder, SupplyStatus
from procurement.services import orders_progress
from tests.helpers import history_users, place_order, snapshot

pytestmark = pytest.mark.django_db

MIXED = ("SRV-DL380-G11", "STO-A400-96T", "CBL-CAT6-3M")  # two Back-to-Back, one stocked
# The statements of an order whatever its lines, inside the test's transaction (a savepoint
# and its release where a clerk's call has BEGIN and COMMIT). Entering: the header and its
# lines, each written with its history rows in one statement; the clerk's unit and the
# header's foreign keys are not read again (catalog.units remembers the unit, the service
# holds the objects). Booking: the lines locked, read with their items and each item's lead
# time, the lines and the header with their history rows (one statement), the unit's queued
# Progress Order run held; a new run and its event if none is queued.
CREATE_STATEMENTS, BOOK_STATEMENTS, NEW_RUN_STATEMENTS = 4, 5, 2


def _create(world, line_count: int, items=MIXED):
    return sales_order_create(
        actor=world.users["clerk"],
        business_unit=world.units["US1"],
        customer=world.customers["C-1001"],
        warehouse=world.warehouses["M1"],
        requested_date=timezone.localdate() + timedelta(days=30),
        lines=[
            OrderLineInput(item=world.items[items[n % len(items)]], quantity=Decimal("1"))
            for n in range(line_count)
        ],
    )


def _statements_to_create_and_book(world, line_count: int, items=MIXED, *, queued=False):
    """The statements of entering and of booking one order; ``queued``: another booking's
    Progress Order run is still Queued, as within a clerk's burst (``book_orders``)."""
    if not queued:  # As when a worker has taken the last booking's run.
        ProcessRun.objects.update(status=RunStatus.SUCCEEDED)
    with CaptureQueriesContext(connection) as create:
        order = _create(world, line_count, items)
    with CaptureQueriesContext(connection) as book:
        sales_order_book(actor=world.users["clerk"], sales_order=order)
    assert list(order.lines.values_list("status", flat=True)) == [LineStatus.BOOKED] * line_count
    return [q["sql"] for q in create], [q["sql"] for q in book]


def test_create_and_book_cost_the_same_queries_for_5_and_200_lines(world):
    _statements_to_create_and_book(world, 1)  # the clerk's permissions and units, once
    few = _statements_to_create_and_book(world, 5)
    many = _statements_to_create_and_book(world, 200)
    assert [len(sqls) for sqls in few] == [len(sqls) for sqls in many]
    create, book = many
    assert len(create) == CREATE_STATEMENTS, create
    assert len(book) == BOOK_STATEMENTS + NEW_RUN_STATEMENTS, book


def test_an_order_booked_in_a_burst_costs_a_constant_number_of_statements(world):
    """The orders after the first of a clerk's burst join its queued run: nothing is read
    but the lines, their items' rules and the run, whatever the lines."""
    _statements_to_create_and_book(world, 1)
    for line_count in (1, 5, 200):
        create, book = _statements_to_create_and_book(world, line_count, queued=True)
        assert (len(create), len(book)) == (CREATE_STATEMENTS, BOOK_STATEMENTS), (create, book)
        read = [sql for sql in create + book if sql.startswith("SELECT")]
        assert not any("catalog_businessunit" in sql or "auth_user" in sql for sql in read)
    assert ProcessRun.objects.filter(status=RunStatus.QUEUED).count() == 1


def test_bulk_written_lines_keep_their_history_and_prices(world):
    order = _create(world, 3)
    sales_order_book(actor=world.users["clerk"], sales_order=order)
    header = list(order.history.order_by("history_id"))
    assert [(row.history_type, row.history_change_reason) for row in header] == [
        ("+", "order created"),
        ("~", "booked"),
    ]
    assert history_users(order) == ["clerk", "clerk"]
    assert (header[0].booked_by, header[1].booked_by) == (None, world.users["clerk"])
    lines = list(order.lines.order_by("line_number"))
    assert [(line.line_number, line.unit_selling_price) for line in lines] == [
        (1, Decimal("48500.00")),
        (2, Decimal("132000.00")),
        (3, world.items["CBL-CAT6-3M"].list_price),
    ]
    for line in lines:
        assert history_users(line) == ["clerk", "clerk"]
        reasons = list(line.history.order_by("history_id").values_list("history_change_reason"))
        assert reasons == [("order created",), ("booked",)]


def test_a_booking_refused_on_its_last_line_books_none(world):
    world.items["STO-X70-R4"].purchasable = False
    world.items["STO-X70-R4"].save()
    order = _create(world, 3, items=("SRV-DL380-G11", "STO-A400-96T", "STO-X70-R4"))
    before = snapshot()
    with pytest.raises(ItemNotBookable, match=r"Line 3: item STO-X70-R4 .* Purchasable"):
        sales_order_book(actor=world.users["clerk"], sales_order=order)
    assert snapshot() == before


def test_the_booking_s_progress_order_costs_the_same_for_5_and_200_lines(
    world, django_capture_on_commit_callbacks
):
    """Back-to-Back lines (a stocked line's reservation is written line by line by
    ``inventory.services.stocked_lines_reserve``): create, book and the eager run."""

    def queries(line_count: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            order = _create(world, line_count, items=("SRV-DL380-G11", "STO-A400-96T"))
            with django_capture_on_commit_callbacks(execute=True):
                sales_order_book(actor=world.users["clerk"], sales_order=order)
        assert SupplyOrder.objects.filter(sales_order_line__order=order).count() == line_count
        return len(queries)

    queries(1)  # the first run reads what later ones find cached (the content types)
    assert queries(5) == queries(200)
    assert SalesOrderLine.objects.exclude(status=LineStatus.AWAITING_SUPPLY).count() == 0


@pytest.mark.parametrize("stage", ["supply order", "draft PO"])
def test_cancelling_an_order_costs_the_same_queries_for_3_and_12_lines(world, drive_to_po, stage):
    """Each line's supply documents are cancelled in bulk with their history (issue 13)."""

    def queries(line_count: int) -> int:
        lines = [("SRV-DL380-G11", "1"), ("STO-A400-96T", "2")] * line_count
        if stage == "draft PO":
            order, _ = drive_to_po(*lines[:line_count], approve=False)
        else:
            order = place_order(world, *lines[:line_count])
            orders_progress(actor=world.users["manager"], sales_order=order)
        with CaptureQueriesContext(connection) as queries:
            cancelled = sales_order_cancel(
                actor=world.users["clerk"], sales_order=order, reason="lost deal"
            )
        assert [line.status for line in cancelled] == [LineStatus.CANCELLED] * line_count
        live = SupplyOrder.objects.filter(sales_order_line__order=order).exclude(
            status=SupplyStatus.CANCELLED
        )
        assert not live.exists()
        assert (
            not PurchaseOrderLine.objects.filter(sales_order_line__order=order)
            .exclude(status=POLineStatus.CANCELLED)
            .exists()
        )
        for line in cancelled:
            assert line.history.first().history_change_reason == "cancelled: lost deal"
        return len(queries)

    queries(1)  # the clerk's permissions are read once, then cached
    assert queries(3) == queries(12)
