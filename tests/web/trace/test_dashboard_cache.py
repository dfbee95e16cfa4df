"""Issue 13: the home page's pipeline and waiting counts read every open line or waiting
document, so they are counted at most once a minute for each set of units and roles and
the page says when ("as of HH:MM"). The suite counts afresh on every request
(``HOME_COUNTS_SECONDS = 0``); these tests turn the cache on, in memory of their own."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orchestration.demo import bulk_book_orders
from tests.helpers import place_order, queries_to_render, unit_user

pytestmark = pytest.mark.django_db

HOME = reverse("home")
ENTERED = "Entered orders to submit"


@pytest.fixture(autouse=True)
def counts_cached(settings):
    settings.HOME_COUNTS_SECONDS = 60
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-dashboard-cache",
        }
    }
    cache.clear()
    yield
    cache.clear()


def counts(response) -> tuple[dict[str, int], dict[str, int]]:
    return dict(response.context["pipeline"]), {
        label: count for label, count, _url in response.context["waiting"]
    }


def test_the_counts_are_reused_until_they_expire_and_the_page_says_as_of_when(client, world, users):
    place_order(world, ("SRV-DL380-G11", "1"))
    client.force_login(users["clerk"])
    first = client.get(HOME)
    place_order(world, ("SRV-DL380-G11", "1"))
    place_order(world, ("SRV-DL380-G11", "1"), book=False)
    again = client.get(HOME)
    assert counts(again) == counts(first)
    assert counts(first)[0]["Booked"] == 1 and counts(first)[1] == {ENTERED: 0}
    counted_at = first.context["counted_at"]
    assert again.context["counted_at"] == counted_at
    assert f"as of {timezone.localtime(counted_at):%H:%M}" in again.content.decode()
    cache.clear()  # what the minute's expiry does
    fresh = client.get(HOME)
    assert counts(fresh)[0]["Booked"] == 2 and counts(fresh)[1] == {ENTERED: 1}


def test_users_of_the_same_units_and_roles_share_one_count_others_have_their_own(
    client, world, users
):
    place_order(world, ("SRV-DL380-G11", "1"))
    client.force_login(users["clerk"])
    client.get(HOME)
    place_order(world, ("SRV-DL380-G11", "1"))
    client.force_login(unit_user(world, "us_clerk", "Order Entry Clerk", "US1"))
    assert counts(client.get(HOME))[0]["Booked"] == 1  # the clerk's count, a moment old
    client.force_login(unit_user(world, "eu_clerk", "Order Entry Clerk"))
    assert counts(client.get(HOME))[0]["Booked"] == 0  # EU1: a count of its own
    client.force_login(users["admin"])  # every unit: a count of its own
    assert counts(client.get(HOME))[0]["Booked"] == 2


def test_a_cached_count_costs_the_same_queries_at_5_and_200_rows(client, world, users):
    client.force_login(users["admin"])
    bulk_book_orders(world, count=5)
    client.get(HOME)
    at_5 = queries_to_render(client, HOME)
    bulk_book_orders(world, count=195)
    cache.clear()
    client.get(HOME)
    assert queries_to_render(client, HOME) == at_5
    assert counts(client.get(HOME))[0]["Booked"] == 200


def test_who_works_in_every_unit_counts_the_lines_without_a_unit_filter(client, world, users):
    """The administrator's pipeline reads the lines' status index alone (no join to the
    orders) and counts every unit's lines."""
    place_order(world, ("SRV-DL380-G11", "1"))
    place_order(world, ("SRV-DL380-G11", "1"), book=False)
    client.force_login(users["admin"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    [pipeline_sql] = [query["sql"] for query in queries if 'AS "lines"' in query["sql"]]
    assert "orders_salesorder" not in pipeline_sql.replace("orders_salesorderline", "")
    assert (counts(response)[0]["Booked"], counts(response)[0]["Entered"]) == (1, 1)
