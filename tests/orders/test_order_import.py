"""Order Import (orders.importing): a batch of orders entered, and booked, by the rules of
one order, in a constant number of statements; a refused entry is recorded, the others
written."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from b2b_portal.errors import PermissionRefused
from orders.importing import (
    PO_ALREADY_SENT,
    PO_TWICE,
    ImportFailure,
    OrderEntry,
    sales_orders_import,
)
from orders.models import LineStatus, SalesOrder, SalesOrderLine
from orders.services import OrderLineInput, sales_order_book, sales_order_create
from processes.models import ProcessRun, RunStatus
from tests.factories import UserFactory
from tests.helpers import history_users, snapshot

pytestmark = pytest.mark.django_db

# The statements of a booked import whatever its orders, in the test's transaction (a
# savepoint and its release where an API call has BEGIN and COMMIT): the items' sourcing
# rules; the headers and the lines, booked as they are written, each set with its history
# rows in one statement; the unit's queued Progress Order run held (a new run and its event
# if none is queued).
IMPORT_STATEMENTS = 6


def _entry(world, *lines, customer="C-1001", unit="US1", warehouse="M1", days=30, po=""):
    return OrderEntry(
        business_unit=world.units[unit],
        customer=world.customers[customer],
        warehouse=world.warehouses[warehouse],
        requested_date=timezone.localdate() + timedelta(days=days),
        customer_po_number=po,
        lines=[
            OrderLineInput(item=world.items[number], quantity=Decimal(qty)) for number, qty in lines
        ],
    )


def _booked_one_by_one(world, entry: OrderEntry) -> SalesOrder:
    clerk = world.users["clerk"]
    order = sales_order_create(
        actor=clerk,
        business_unit=entry.business_unit,
        customer=entry.customer,
        warehouse=entry.warehouse,
        requested_date=entry.requested_date,
        lines=entry.lines,
    )
    return sales_order_book(actor=clerk, sales_order=order)


def _reasons(obj) -> list[tuple[str, str]]:
    rows = obj.history.order_by("history_id")
    return [(row.history_type, row.history_change_reason) for row in rows]


def test_a_booked_import_writes_what_booking_each_order_would(world):
    clerk = world.users["clerk"]
    world.units["EU1"].members.add(clerk)
    warehouse = world.warehouses["M1"]
    warehouse.processing_days = 2
    warehouse.save()
    entries = [
        _entry(world, ("SRV-DL380-G11", "2"), ("STO-A400-96T", "1"), po="EDI-1"),
        _entry(world, ("CBL-CAT6-3M", "10"), customer="C-1002", days=1),
        _entry(world, ("SRV-DL380-EU", "1"), customer="C-2001", unit="EU1", warehouse="E1"),
        _entry(world, ("SRV-R760-XA", "1"), ("SRV-DL380-G11", "1"), days=3),
    ]
    result = sales_orders_import(actor=clerk, entries=entries, book=True)

    assert result.failed == []
    assert [imported.index for imported in result.created] == [0, 1, 2, 3]
    orders = [imported.order for imported in result.created]
    assert [order.number for order in orders] == [
        SalesOrder.number_of(pk) for pk in sorted(order.pk for order in orders)
    ]
    assert orders[0].customer_po_number == "EDI-1"
    assert SalesOrder.objects.count() == 4
    assert SalesOrderLine.objects.filter(status=LineStatus.BOOKED).count() == 6
    runs = ProcessRun.objects.filter(process="progress_order", status=RunStatus.QUEUED)
    assert sorted(run.parameters["business_unit"] for run in runs) == sorted(
        [world.units["US1"].pk, world.units["EU1"].pk]
    )
    for order in orders:
        order.refresh_from_db()
        assert (order.booked_by, order.booked_at is not None) == (clerk, True)
        # Booked as entered: one history row each, the booked row as written.
        assert _reasons(order) == [("+", "order imported and booked")]
        assert history_users(order) == ["clerk"]
        assert order.history.get().booked_by == clerk
        for line in order.lines.all():
            assert _reasons(line) == [("+", "order imported and booked")]
            assert history_users(line) == ["clerk"]
            booked = line.history.get()
            assert (booked.status, booked.scheduled_ship_date) == (
                LineStatus.BOOKED,
                line.scheduled_ship_date,
            )

    # The promise is the one booking each order alone gives (lead times, processing days).
    for entry, order in zip(entries, orders, strict=True):
        alone = _booked_one_by_one(world, entry)
        assert [
            (line.item_id, line.quantity, line.unit_selling_price, line.scheduled_ship_date)
            for line in order.lines.all()
        ] == [
            (line.item_id, line.quantity, line.unit_selling_price, line.scheduled_ship_date)
            for line in alone.lines.all()
        ]


def test_an_import_without_booking_enters_the_orders(world):
    result = sales_orders_import(
        actor=world.users["clerk"],
        entries=[_entry(world, ("SRV-DL380-G11", "1")), _entry(world, ("CBL-CAT6-3M", "3"))],
        book=False,
    )
    orders = SalesOrder.objects.filter(pk__in=[imported.order.pk for imported in result.created])
    assert [order.status for order in orders] == [LineStatus.ENTERED] * 2
    assert {order.booked_at for order in orders} == {None}
    assert set(SalesOrderLine.objects.values_list("scheduled_ship_date", flat=True)) == {None}
    assert [_reasons(order) for order in orders] == [[("+", "order imported")]] * 2
    assert not ProcessRun.objects.exists()


@pytest.mark.parametrize(
    "refused, message",
    [
        (lambda world: _entry(world, ("SRV-DL380-G11", "1"), customer="C-2001"), "another"),
        (
            lambda world: _entry(
                world, ("SRV-DL380-EU", "1"), customer="C-2001", unit="EU1", warehouse="E1"
            ),
            "does not work in",
        ),
        (lambda world: _entry(world, ("SRV-DL380-G11", "0")), "greater than zero"),
        (lambda world: _entry(world), "An order needs at least one line."),
        (
            lambda world: _entry(world, ("CBL-CAT6-3M", "1"), ("STO-X70-R4", "1")),
            "Line 2: item STO-X70-R4 cannot be booked as a Back-to-Back line; it is missing: "
            "Purchasable.",
        ),
    ],
    ids=["customer of another unit", "unit not yours", "zero quantity", "no line", "attribute"],
)
def test_a_refused_entry_is_recorded_and_the_others_are_written(world, refused, message):
    world.items["STO-X70-R4"].purchasable = False
    world.items["STO-X70-R4"].save()
    entries = [
        _entry(world, ("SRV-DL380-G11", "1"), po="first"),
        refused(world),
        _entry(world, ("STO-A400-96T", "2"), po="third"),
    ]
    result = sales_orders_import(actor=world.users["clerk"], entries=entries, book=True)

    [failure] = result.failed
    assert failure.index == 1 and message in failure.message
    assert [imported.index for imported in result.created] == [0, 2]
    # Nothing of the refused entry: two orders of one line each, both booked.
    assert sorted(SalesOrder.objects.values_list("customer_po_number", flat=True)) == [
        "first",
        "third",
    ]
    assert list(SalesOrderLine.objects.values_list("status", flat=True)) == [LineStatus.BOOKED] * 2
    assert SalesOrder.history.count() == 2 and SalesOrderLine.history.count() == 2


def test_a_missing_attribute_refuses_booking_not_entering(world):
    world.items["STO-X70-R4"].purchasable = False
    world.items["STO-X70-R4"].save()
    result = sales_orders_import(
        actor=world.users["clerk"], entries=[_entry(world, ("STO-X70-R4", "1"))], book=False
    )
    assert result.failed == [] and SalesOrderLine.objects.get().status == LineStatus.ENTERED


def test_an_import_of_refused_entries_only_writes_nothing(world):
    before = snapshot()
    result = sales_orders_import(
        actor=world.users["clerk"], entries=[_entry(world, ("SRV-DL380-G11", "-1"))], book=True
    )
    assert result.created == []
    assert result.failed == [ImportFailure(index=0, message="Quantity must be greater than zero.")]
    assert snapshot() == before


def test_booking_an_import_needs_the_permission_to_book(world):
    entry_only = UserFactory(
        username="edi",
        units=[world.units["US1"]],
        permissions=["orders.add_salesorder", "orders.view_salesorder"],
    )
    before = snapshot()
    with pytest.raises(PermissionRefused, match="not allowed to book sales orders"):
        sales_orders_import(
            actor=entry_only, entries=[_entry(world, ("SRV-DL380-G11", "1"))], book=True
        )
    assert snapshot() == before
    result = sales_orders_import(
        actor=entry_only, entries=[_entry(world, ("SRV-DL380-G11", "1"))], book=False
    )
    assert len(result.created) == 1


def test_an_import_costs_the_same_statements_for_5_and_50_orders(world):
    clerk = world.users["clerk"]

    def statements(count: int) -> list[str]:
        entries = [
            _entry(world, ("SRV-DL380-G11", "1"), ("STO-A400-96T", "2"), ("CBL-CAT6-3M", "5"))
            for _ in range(count)
        ]
        with CaptureQueriesContext(connection) as queries:
            result = sales_orders_import(actor=clerk, entries=entries, book=True)
        assert len(result.created) == count
        return [query["sql"] for query in queries]

    statements(1)  # the clerk's permissions and units, read once; the unit's run queued
    few, many = statements(5), statements(50)
    assert len(few) == len(many) == IMPORT_STATEMENTS, many
    assert SalesOrderLine.objects.filter(status=LineStatus.BOOKED).count() == 3 * 56
    assert ProcessRun.objects.filter(process="progress_order").count() == 1


def test_a_batch_sent_again_makes_nothing_twice(world):
    """A feed that times out and retries sends the same orders again: each is refused,
    naming the order its customer PO number already made."""
    clerk = world.users["clerk"]
    entries = [
        _entry(world, ("SRV-DL380-G11", "1"), po="PO-77"),
        _entry(world, ("STO-A400-96T", "2"), customer="C-1002", po="PO-77"),
    ]
    first = sales_orders_import(actor=clerk, entries=entries, book=True)
    numbers = [imported.order.number for imported in first.created]
    assert len(numbers) == 2 and not first.failed

    again = sales_orders_import(actor=clerk, entries=entries, book=True)
    assert again.created == []
    assert again.failed == [
        ImportFailure(
            index=0, message=PO_ALREADY_SENT.format(customer="C-1001", po="PO-77", order=numbers[0])
        ),
        ImportFailure(
            index=1, message=PO_ALREADY_SENT.format(customer="C-1002", po="PO-77", order=numbers[1])
        ),
    ]
    assert SalesOrder.objects.count() == 2


def test_a_po_twice_in_one_batch_is_made_once_and_orders_without_a_po_always(world):
    refused_first = _entry(world, ("SRV-DL380-G11", "0"), po="PO-9")  # zero: refused
    result = sales_orders_import(
        actor=world.users["clerk"],
        entries=[
            refused_first,
            _entry(world, ("SRV-DL380-G11", "1"), po="PO-9"),
            _entry(world, ("SRV-DL380-G11", "2"), po="PO-9"),
            _entry(world, ("SRV-DL380-G11", "1")),
            _entry(world, ("SRV-DL380-G11", "1")),
        ],
        book=False,
    )
    assert [imported.index for imported in result.created] == [1, 3, 4]
    assert [failure.index for failure in result.failed] == [0, 2]
    assert result.failed[1].message == PO_TWICE.format(customer="C-1001", po="PO-9", index=1)
    assert sorted(SalesOrder.objects.values_list("customer_po_number", flat=True)) == [
        "",
        "",
        "PO-9",
    ]
