"""Promise dates and jeopardy (issue 14, items 1 and 2): the scheduled ship date set at
booking, supply planned backwards from it, and a line at risk as soon as its supply is
expected after it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from b2b_portal.errors import TransitionRefused, ValidationRefused
from orchestration.services import sales_order_line_repromise
from orders.models import SalesOrderLine
from orders.promising import scheduled_ship_dates
from orders.services import OrderLineInput, sales_order_book, sales_order_create
from procurement.models import PurchaseOrderLine, RequisitionLine, SupplyOrder
from procurement.services import (
    orders_progress,
    purchase_order_line_update,
    purchase_orders_create_from_requisitions,
    supply_orders_generate,
)
from tests.helpers import cancel, place_order

pytestmark = pytest.mark.django_db

LEAD_DAYS = 10  # SRV-DL380-G11 from S-100, rank 1 (tests/fixtures.py RULES)
PROCESSING_DAYS = 2


@pytest.fixture
def warehouse(world):
    warehouse = world.warehouses["M1"]
    warehouse.processing_days = PROCESSING_DAYS
    warehouse.save()
    return warehouse


def book(world, warehouse, *, requested_in_days, item="SRV-DL380-G11", quantity="1"):
    clerk = world.users["clerk"]
    order = sales_order_create(
        actor=clerk,
        business_unit=world.units["US1"],
        customer=world.customers["C-1001"],
        warehouse=warehouse,
        requested_date=_in(requested_in_days),
        lines=[OrderLineInput(item=world.items[item], quantity=Decimal(quantity))],
    )
    sales_order_book(actor=clerk, sales_order=order)
    return order.lines.get()


def _in(days):
    return timezone.localdate() + timedelta(days=days)


def to_draft_po(world, line):
    users = world.users
    orders_progress(actor=users["manager"], sales_order=line.order)
    supply_orders_generate(actor=users["buyer"])
    purchase_orders_create_from_requisitions(
        actor=users["buyer"],
        requisition_lines=list(RequisitionLine.objects.filter(sales_order_line=line)),
    )
    return PurchaseOrderLine.objects.get(sales_order_line=line)


def test_a_line_requested_sooner_than_supply_can_come_is_scheduled_after_lead_and_processing(
    world, warehouse
):
    line = book(world, warehouse, requested_in_days=3)
    assert line.scheduled_ship_date == _in(LEAD_DAYS + PROCESSING_DAYS)
    assert line.history.first().history_change_reason == "booked"


def test_a_line_requested_later_than_supply_needs_keeps_the_requested_date(world, warehouse):
    line = book(world, warehouse, requested_in_days=30)
    assert line.scheduled_ship_date == _in(30)


def test_a_stocked_line_needs_only_the_processing_days(world, warehouse):
    line = book(world, warehouse, requested_in_days=0, item="CBL-CAT6-3M")
    assert line.scheduled_ship_date == _in(PROCESSING_DAYS)


def test_supply_of_a_line_booked_without_a_scheduled_date_is_needed_by_its_request(
    world, warehouse
):
    """A line booked before lines had a scheduled ship date: its requested date (Progress
    Order computes the rule in the database, both branches)."""
    order = place_order(world, ("SRV-DL380-G11", "1"), ("SRV-DL380-G11", "1"))
    undated, dated = order.lines.order_by("pk")
    SalesOrderLine.objects.filter(pk=undated.pk).update(scheduled_ship_date=None)
    orders_progress(actor=world.users["manager"], sales_order=order)
    need_by = dict(SupplyOrder.objects.values_list("sales_order_line", "need_by_date"))
    assert need_by == {
        undated.pk: undated.requested_date,
        dated.pk: dated.scheduled_ship_date - timedelta(days=PROCESSING_DAYS),
    }


def test_the_date_is_known_before_booking(world, warehouse):
    """What the order entry page shows: the same rule, for lines not yet saved."""
    items = world.items
    dates = scheduled_ship_dates(
        [(items["SRV-DL380-G11"], _in(3)), (items["SRV-DL380-G11"], _in(30))],
        warehouse=warehouse,
    )
    assert dates == [_in(LEAD_DAYS + PROCESSING_DAYS), _in(30)]


def test_supply_is_needed_by_the_scheduled_date_less_processing_and_promised_on_time(
    world, warehouse
):
    line = book(world, warehouse, requested_in_days=3)
    po_line = to_draft_po(world, line)
    supply = SupplyOrder.objects.get(sales_order_line=line)
    assert supply.need_by_date == _in(LEAD_DAYS)
    assert po_line.promised_date == _in(LEAD_DAYS)
    line.refresh_from_db()
    assert (line.at_risk, line.days_late) == (False, 0)


def test_a_promise_later_than_the_scheduled_ship_date_puts_the_line_at_risk_at_once(
    world, warehouse
):
    line = book(world, warehouse, requested_in_days=3)
    po_line = to_draft_po(world, line)
    buyer = world.users["buyer"]

    purchase_order_line_update(
        actor=buyer,
        line=po_line,
        unit_price=po_line.unit_price,
        quantity=po_line.quantity,
        promised_date=_in(LEAD_DAYS + 5),
    )
    line.refresh_from_db()
    assert (line.at_risk, line.days_late) == (True, 3)
    record = line.history.first()
    assert record.history_user == buyer
    assert record.history_change_reason.endswith("at risk, 3 days late")

    po_line.refresh_from_db()
    purchase_order_line_update(
        actor=buyer,
        line=po_line,
        unit_price=po_line.unit_price,
        quantity=po_line.quantity,
        promised_date=_in(LEAD_DAYS),
    )
    line.refresh_from_db()
    assert (line.at_risk, line.days_late) == (False, 0)
    assert line.history.first().history_change_reason.endswith("supply on time")


def test_a_re_promise_moves_the_date_and_the_jeopardy_with_history(world, warehouse):
    line = book(world, warehouse, requested_in_days=3)
    po_line = to_draft_po(world, line)
    purchase_order_line_update(
        actor=world.users["buyer"],
        line=po_line,
        unit_price=po_line.unit_price,
        quantity=po_line.quantity,
        promised_date=_in(LEAD_DAYS + 5),
    )
    clerk = world.users["clerk"]

    sales_order_line_repromise(
        actor=clerk, line=line, scheduled_ship_date=_in(20), reason="customer agreed"
    )

    line.refresh_from_db()
    assert line.scheduled_ship_date == _in(20)
    assert (line.at_risk, line.days_late) == (False, 0)
    reasons = [record.history_change_reason for record in line.history.all()[:2]]
    assert reasons[0] == "re-promised: supply on time"
    assert reasons[1] == (
        f"re-promised from {_in(12).isoformat()} to {_in(20).isoformat()}: customer agreed"
    )
    assert {record.history_user for record in line.history.all()[:2]} == {clerk}


def test_a_re_promise_of_unsourced_supply_moves_its_need_by_date(world, warehouse):
    line = book(world, warehouse, requested_in_days=3)
    orders_progress(actor=world.users["manager"], sales_order=line.order)

    sales_order_line_repromise(
        actor=world.users["clerk"], line=line, scheduled_ship_date=_in(40), reason="later"
    )

    assert SupplyOrder.objects.get(sales_order_line=line).need_by_date == _in(38)


@pytest.mark.parametrize(
    ("days", "reason", "message"),
    [
        (-1, "earlier", "cannot be in the past"),
        (12, "same", "Nothing was changed."),
        (20, "", "Say why the line is re-promised"),
    ],
)
def test_a_re_promise_is_refused_with_a_message_and_changes_nothing(
    world, warehouse, days, reason, message
):
    line = book(world, warehouse, requested_in_days=3)
    with pytest.raises(ValidationRefused, match=message):
        sales_order_line_repromise(
            actor=world.users["clerk"], line=line, scheduled_ship_date=_in(days), reason=reason
        )
    assert SalesOrderLine.objects.get(pk=line.pk).scheduled_ship_date == _in(12)


def test_a_cancelled_line_cannot_be_re_promised(world, warehouse):
    line = place_order(world, ("SRV-DL380-G11", "1")).lines.get()
    cancel(world, line)
    with pytest.raises(TransitionRefused, match="Cancelled"):
        sales_order_line_repromise(
            actor=world.users["clerk"], line=line, scheduled_ship_date=_in(50), reason="x"
        )
