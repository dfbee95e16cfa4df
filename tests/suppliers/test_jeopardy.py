"""Issue 14, acceptance 2: a line is at risk the moment its supply is expected after its
scheduled ship date, by so many days, and out of it as soon as it is not; the supplier's
acknowledgement and ship notice move it, each with a history row naming who."""

from datetime import timedelta
from decimal import Decimal

import pytest

from orders.services import OrderLineInput, sales_order_book, sales_order_create
from procurement.models import PurchaseOrderLine, RequisitionLine, SourcingRule
from procurement.services import (
    orders_progress,
    purchase_order_approve,
    purchase_order_submit,
    purchase_orders_create_from_requisitions,
    supply_orders_generate,
)
from suppliers.models import AcknowledgementKind
from suppliers.services import ShipNoticeLineInput, line_acknowledge, ship_notice_create

pytestmark = pytest.mark.django_db


def _in(today, days):
    return today + timedelta(days=days)


def _jeopardy(line):
    line.refresh_from_db()
    record = line.history.first()
    return line.at_risk, line.days_late, record.history_user.username, record.history_change_reason


@pytest.fixture
def line_requested_in_3_days(world, today):
    clerk = world.users["clerk"]
    order = sales_order_create(
        actor=clerk,
        business_unit=world.units["US1"],
        customer=world.customers["C-1001"],
        warehouse=world.warehouses["M1"],
        requested_date=_in(today, 3),
        lines=[OrderLineInput(item=world.items["SRV-DL380-G11"], quantity=Decimal("2"))],
    )
    sales_order_book(actor=clerk, sales_order=order)
    line = order.lines.get()
    assert line.scheduled_ship_date == _in(today, 10)  # the winning rule's 10 days
    return line


def _to_approved_po(world, line) -> PurchaseOrderLine:
    buyer = world.users["buyer"]
    orders_progress(actor=world.users["manager"], sales_order=line.order)
    supply_orders_generate(actor=buyer)
    [purchase_order] = purchase_orders_create_from_requisitions(
        actor=buyer, requisition_lines=list(RequisitionLine.objects.filter(sales_order_line=line))
    )
    purchase_order_submit(actor=buyer, purchase_order=purchase_order)
    purchase_order_approve(actor=buyer, purchase_order=purchase_order)
    return PurchaseOrderLine.objects.get(sales_order_line=line)


def test_the_promise_the_acknowledgement_and_the_ship_notice_move_the_jeopardy(
    world, today, line_requested_in_3_days
):
    line = line_requested_in_3_days
    # The supplier's lead time grew after the booking: the PO is promised 4 days late.
    SourcingRule.objects.filter(item=line.item, rank=1).update(lead_time_days=14)
    po_line = _to_approved_po(world, line)
    assert po_line.promised_date == _in(today, 14)
    at_risk, days, who, why = _jeopardy(line)
    assert (at_risk, days, who) == (True, 4, "buyer")
    assert why.endswith("at risk, 4 days late")

    line_acknowledge(
        actor=world.users["supplier"],
        purchase_order_line=po_line,
        kind=AcknowledgementKind.NEW_DATE,
        promised_date=_in(today, 9),
        reason="stock found at the distributor",
    )
    at_risk, days, who, why = _jeopardy(line)
    assert (at_risk, days, who) == (False, 0, "supplier")
    assert why.endswith("supply on time")

    ship_notice_create(
        actor=world.users["supplier"],
        purchase_order=po_line.purchase_order,
        lines=[ShipNoticeLineInput(purchase_order_line=po_line, quantity=Decimal("2"))],
        ship_date=_in(today, 1),
        expected_arrival=_in(today, 12),
        carrier="DHL",
        tracking_number="JD0146",
    )
    at_risk, days, who, why = _jeopardy(line)
    assert (at_risk, days, who) == (True, 2, "supplier")
    assert "DHL JD0146" in why and why.endswith("at risk, 2 days late")


def test_a_rejected_line_leaves_jeopardy_for_the_buyers_exception(
    world, today, line_requested_in_3_days
):
    line = line_requested_in_3_days
    SourcingRule.objects.filter(item=line.item, rank=1).update(lead_time_days=14)
    po_line = _to_approved_po(world, line)
    line_acknowledge(
        actor=world.users["supplier"],
        purchase_order_line=po_line,
        kind=AcknowledgementKind.REJECTED,
        reason="end of life",
    )
    line.refresh_from_db()
    assert (line.at_risk, line.days_late) == (False, 0)
