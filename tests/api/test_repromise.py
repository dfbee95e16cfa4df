"""The order line's dates through the API: the scheduled ship date and days late on every
order read, and a re-promise (issue 14, items 1 and 2)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api.conftest import token_client
from tests.api.support import walk
from tests.api.test_permissions import ENTER_ORDERS
from tests.helpers import place_order, unit_user

pytestmark = pytest.mark.django_db


def in_days(days) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def repromise_url(line) -> str:
    return f"/api/order-lines/{line.pk}/re-promise/"


def test_an_order_reads_with_its_lines_dates(api_as, world):
    order = place_order(world, ("SRV-DL380-G11", "1"))
    [line] = api_as("clerk").get(f"/api/orders/{order.pk}/").json()["lines"]
    assert (line["scheduled_ship_date"], line["days_late"], line["at_risk"]) == (
        in_days(30),
        0,
        False,
    )


def test_the_clerk_re_promises_a_line(api_as, world):
    line = place_order(world, ("SRV-DL380-G11", "1")).lines.get()
    response = api_as("clerk").post(
        repromise_url(line),
        {"scheduled_ship_date": in_days(45), "reason": "customer asked"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["scheduled_ship_date"] == in_days(45)
    line.refresh_from_db()
    assert line.history.first().history_user == world.users["clerk"]


def test_a_refused_re_promise_is_409_with_the_message(api_as, world):
    line = place_order(world, ("SRV-DL380-G11", "1")).lines.get()
    response = api_as("clerk").post(
        repromise_url(line), {"scheduled_ship_date": in_days(-2), "reason": "x"}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "The new scheduled ship date cannot be in the past."}


def test_re_promise_permissions_by_role_and_unit(api_as, world):
    def repromise(client, _username):
        line = place_order(world, ("SRV-DL380-G11", "1")).lines.get()
        body = {"scheduled_ship_date": in_days(40), "reason": "agreed"}
        return client.post(repromise_url(line), body, format="json").status_code

    walk(api_as, ENTER_ORDERS, 200, repromise)
    other_unit = token_client(unit_user(world, "eu_clerk", "Order Entry Clerk"))
    assert repromise(other_unit, "eu_clerk") == 404
