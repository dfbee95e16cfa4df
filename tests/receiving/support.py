"""Documents of many lines, each of its own item, for the tests that count what a document
service costs: a line per item makes every line move its own balance and reservation."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from orders.models import LineStatus, SalesOrder, SalesOrderLine
from procurement.models import PurchaseOrderLine
from procurement.services import (
    orders_progress,
    purchase_order_approve,
    purchase_order_submit,
    purchase_orders_autocreate,
    supply_orders_generate,
)
from tests.factories import SourcingRuleFactory


def pegged_order(world, count: int, quantity: int = 2):
    """A booked order of ``count`` lines of ``quantity``, each of a new Back-to-Back item
    bought from S-100, carried by the processes to one approved PO; returns (order, PO
    lines). The order is written in bulk, as ``orchestration.demo.bulk_book_orders`` does:
    entering 200 lines one by one would cost minutes."""
    clerk, buyer = world.users["clerk"], world.users["buyer"]
    supplier = world.suppliers["S-100"]
    items = [
        SourcingRuleFactory(item__business_unit=world.units["US1"], supplier=supplier).item
        for _ in range(count)
    ]
    requested = timezone.localdate() + timedelta(days=30)
    [order] = bulk_create_with_history(
        [
            SalesOrder(
                business_unit=world.units["US1"],
                customer=world.customers["C-1001"],
                warehouse=world.warehouses["M1"],
                ordered_date=timezone.localdate(),
                requested_date=requested,
                currency_code="USD",
                created_by=clerk,
                booked_by=clerk,
                booked_at=timezone.now(),
            )
        ],
        SalesOrder,
        default_user=clerk,
        default_change_reason="booked",
    )
    bulk_create_with_history(
        [
            SalesOrderLine(
                order=order,
                line_number=number,
                item=item,
                quantity=quantity,
                unit_selling_price=item.list_price,
                requested_date=requested,
                status=LineStatus.BOOKED,
            )
            for number, item in enumerate(items, start=1)
        ],
        SalesOrderLine,
        default_user=clerk,
        default_change_reason="booked",
    )
    orders_progress(actor=world.users["manager"], sales_order=order)
    supply_orders_generate(actor=buyer)
    purchase_orders_autocreate(actor=buyer, supplier=supplier, batch_size=count)
    po_lines = list(PurchaseOrderLine.objects.filter(sales_order_line__order=order).order_by("pk"))
    purchase_order = purchase_order_submit(actor=buyer, purchase_order=po_lines[0].purchase_order)
    purchase_order_approve(actor=buyer, purchase_order=purchase_order)
    return order, po_lines


def fresh(user):
    """The user read again: a document measured with it pays its permission look-up, as
    every request does, not only the first one measured."""
    return type(user).objects.get(pk=user.pk)


def queries_of(call) -> int:
    """How many SQL statements ``call()`` sends."""
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)
