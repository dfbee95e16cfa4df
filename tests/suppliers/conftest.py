"""An order line booked for 4, requested in 3 days, whose winning rule's 10 days make its
scheduled ship date today + 10; and its way to an approved PO line: the setting of the
jeopardy and expected-date tests."""

from datetime import timedelta
from decimal import Decimal

import pytest

from orders.services import OrderLineInput, sales_order_book, sales_order_create
from procurement.models import PurchaseOrderLine, RequisitionLine
from procurement.services import (
    orders_progress,
    purchase_order_approve,
    purchase_order_submit,
    purchase_orders_create_from_requisitions,
    supply_orders_generate,
)


def in_days(today, days):
    return today + timedelta(days=days)


@pytest.fixture
def line_requested_in_3_days(world, today):
    clerk = world.users["clerk"]
    order = sales_order_create(
        actor=clerk,
        business_unit=world.units["US1"],
        customer=world.customers["C-1001"],
        warehouse=world.warehouses["M1"],
        requested_date=in_days(today, 3),
        lines=[OrderLineInput(item=world.items["SRV-DL380-G11"], quantity=Decimal("4"))],
    )
    sales_order_book(actor=clerk, sales_order=order)
    line = order.lines.get()
    assert line.scheduled_ship_date == in_days(today, 10)  # the winning rule's 10 days
    return line


def jeopardy(line):
    """The order line's (at risk, days late) and its latest history row's user and reason."""
    line.refresh_from_db()
    record = line.history.first()
    return line.at_risk, line.days_late, record.history_user.username, record.history_change_reason


def to_approved_po(world, line) -> PurchaseOrderLine:
    buyer = world.users["buyer"]
    orders_progress(actor=world.users["manager"], sales_order=line.order)
    supply_orders_generate(actor=buyer)
    [purchase_order] = purchase_orders_create_from_requisitions(
        actor=buyer, requisition_lines=list(RequisitionLine.objects.filter(sales_order_line=line))
    )
    purchase_order_submit(actor=buyer, purchase_order=purchase_order)
    purchase_order_approve(actor=buyer, purchase_order=purchase_order)
    return PurchaseOrderLine.objects.get(sales_order_line=line)
