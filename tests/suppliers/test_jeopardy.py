"""Issue 14, acceptance 2: a line is at risk the moment its supply is expected after its
scheduled ship date, by so many days, and out of it as soon as it is not; the supplier's
acknowledgement and ship notice move it, each with a history row naming who."""

from decimal import Decimal

import pytest

from procurement.models import SourcingRule
from suppliers.models import AcknowledgementKind
from suppliers.services import ShipNoticeLineInput, line_acknowledge, ship_notice_create
from tests.suppliers.conftest import in_days, jeopardy, to_approved_po

pytestmark = pytest.mark.django_db


def test_the_promise_the_acknowledgement_and_the_ship_notice_move_the_jeopardy(
    world, today, line_requested_in_3_days
):
    line = line_requested_in_3_days
    # The supplier's lead time grew after the booking: the PO is promised 4 days late.
    SourcingRule.objects.filter(item=line.item, rank=1).update(lead_time_days=14)
    po_line = to_approved_po(world, line)
    assert po_line.promised_date == in_days(today, 14)
    at_risk, days, who, why = jeopardy(line)
    assert (at_risk, days, who) == (True, 4, "buyer")
    assert why.endswith("at risk, 4 days late")

    line_acknowledge(
        actor=world.users["supplier"],
        purchase_order_line=po_line,
        kind=AcknowledgementKind.NEW_DATE,
        promised_date=in_days(today, 9),
        reason="stock found at the distributor",
    )
    at_risk, days, who, why = jeopardy(line)
    assert (at_risk, days, who) == (False, 0, "supplier")
    assert why.endswith("supply on time")

    ship_notice_create(
        actor=world.users["supplier"],
        purchase_order=po_line.purchase_order,
        lines=[ShipNoticeLineInput(purchase_order_line=po_line, quantity=Decimal("4"))],
        ship_date=in_days(today, 1),
        expected_arrival=in_days(today, 12),
        carrier="DHL",
        tracking_number="JD0146",
    )
    at_risk, days, who, why = jeopardy(line)
    assert (at_risk, days, who) == (True, 2, "supplier")
    assert "DHL JD0146" in why and why.endswith("at risk, 2 days late")


def test_a_rejected_line_leaves_jeopardy_for_the_buyers_exception(
    world, today, line_requested_in_3_days
):
    line = line_requested_in_3_days
    SourcingRule.objects.filter(item=line.item, rank=1).update(lead_time_days=14)
    po_line = to_approved_po(world, line)
    line_acknowledge(
        actor=world.users["supplier"],
        purchase_order_line=po_line,
        kind=AcknowledgementKind.REJECTED,
        reason="end of life",
    )
    line.refresh_from_db()
    assert (line.at_risk, line.days_late) == (False, 0)
