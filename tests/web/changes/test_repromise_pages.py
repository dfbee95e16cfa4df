"""The order page's ship dates and the Re-promise page (issue 14, items 1 and 2)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import SalesOrderLine
from procurement.services import purchase_order_line_update
from tests.helpers import messages_of, place_order, unit_user
from tests.web.changes.support import errors_of, form_data

pytestmark = pytest.mark.django_db


def repromise_url(line) -> str:
    return reverse("orchestration:line_repromise", args=[line.pk])


def in_days(days):
    return timezone.localdate() + timedelta(days=days)


def ships_cell(page) -> str:
    html = page.content.decode()
    start = html.index('data-testid="ships"')
    return html[start : html.index("</td>", start)]


def test_an_entered_line_shows_the_date_booking_today_would_give(client, world, users):
    order = place_order(world, ("SRV-DL380-G11", "1"), book=False)
    client.force_login(users["clerk"])
    cell = ships_cell(client.get(order.get_absolute_url()))
    assert in_days(30).isoformat() in cell and "if booked today" in cell


def test_the_clerk_re_promises_a_line_at_risk(client, world, users, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    purchase_order_line_update(
        actor=users["buyer"],
        line=po_line,
        unit_price=po_line.unit_price,
        quantity=po_line.quantity,
        promised_date=in_days(34),
    )
    line = order.lines.get()
    client.force_login(users["clerk"])
    order_page = client.get(order.get_absolute_url())
    assert "4 days late" in ships_cell(order_page)
    assert repromise_url(line) in order_page.content.decode()
    trace = client.get(line.get_absolute_url()).content.decode()
    assert f"Scheduled ship {in_days(30):%Y-%m-%d}" in trace
    assert "at risk, 4 days late" in trace

    response = client.post(
        repromise_url(line),
        form_data(scheduled_ship_date=in_days(35).isoformat(), reason="customer agreed"),
    )

    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    line.refresh_from_db()
    assert (line.scheduled_ship_date, line.days_late, line.at_risk) == (in_days(35), 0, False)
    assert messages_of(response) == [
        f"{line} is now scheduled to ship on {in_days(35):%Y-%m-%d} (supply on time)."
    ]


def test_a_date_in_the_past_is_a_form_error_and_changes_nothing(client, world, users):
    line = place_order(world, ("SRV-DL380-G11", "1")).lines.get()
    client.force_login(users["clerk"])
    response = client.post(
        repromise_url(line),
        form_data(scheduled_ship_date=in_days(-1).isoformat(), reason="oops"),
    )
    assert response.status_code == 200
    assert errors_of(response) == ["The new scheduled ship date cannot be in the past."]
    assert SalesOrderLine.objects.get(pk=line.pk).scheduled_ship_date == in_days(30)


def test_only_order_clerks_of_the_unit_may_re_promise(client, world, users):
    line = place_order(world, ("SRV-DL380-G11", "1")).lines.get()
    client.force_login(users["shipper"])
    assert client.get(repromise_url(line)).status_code == 403
    client.force_login(unit_user(world, "eu_clerk", "Order Entry Clerk"))
    assert client.get(repromise_url(line)).status_code == 404
