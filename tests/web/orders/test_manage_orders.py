"""Manage Orders: search, status filter, sort, pages, and a constant number of queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from orchestration.demo import bulk_book_orders
from orders.models import LineStatus, SalesOrder
from orders.services import OrderLineInput, sales_order_create
from procurement.services import orders_progress
from tests.helpers import place_order, queries_to_render, unit_user

pytestmark = pytest.mark.django_db

LIST = reverse("orders:list")


@pytest.fixture
def clerk(client, users):
    client.force_login(users["clerk"])
    return client


@pytest.fixture
def orders(world, users):
    """Four orders: Entered (Acme, cable, ordered 10 days ago), Booked (Globex, GPU server),
    Awaiting Supply (Initech, server), and an unbooked storage order (Acme)."""
    entered = sales_order_create(
        actor=users["clerk"],
        business_unit=world.units["US1"],
        customer=world.customers["C-1001"],
        warehouse=world.warehouses["M1"],
        requested_date=date(2031, 3, 1),
        ordered_date=date.today() - timedelta(days=10),
        lines=[OrderLineInput(item=world.items["CBL-CAT6-3M"], quantity=Decimal("20"))],
    )
    booked = place_order(world, ("SRV-R760-XA", "1"), customer="C-1002")
    supplied = place_order(world, ("SRV-DL380-G11", "2"), customer="C-1003")
    orders_progress(actor=users["manager"], sales_order=supplied)
    unbooked = place_order(world, ("STO-A400-96T", "1"), book=False)
    return {"entered": entered, "booked": booked, "supplied": supplied, "unbooked": unbooked}


def shown(response) -> list[str]:
    return [order.number for order in response.context["object_list"]]


def test_the_list_shows_the_derived_status_newest_first(clerk, orders):
    response = clerk.get(LIST)
    assert response.status_code == 200
    rows = list(response.context["object_list"])
    assert [o.number for o in rows] == [
        orders[k].number for k in ("unbooked", "supplied", "booked", "entered")
    ]
    # The status computed in SQL is the model's own derived status.
    for row in rows:
        assert row.header_status == SalesOrder.objects.get(pk=row.pk).get_status_display()
    assert [row.header_status for row in rows] == [
        "Entered",
        "Awaiting Supply",
        "Booked",
        "Entered",
    ]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ({"number": "{supplied}"}, ["supplied"]),
        ({"number": "{supplied_pk}"}, ["supplied"]),
        ({"number": "so-{supplied_pk}"}, ["supplied"]),
        ({"customer": "globex"}, ["booked"]),
        ({"customer": "C-1003"}, ["supplied"]),
        ({"item": "R760"}, ["booked"]),
        ({"item": "patch cable"}, ["entered"]),
        ({"status": "ENTERED"}, ["unbooked", "entered"]),
        ({"status": "BOOKED"}, ["booked"]),
        ({"status": "AWAITING_SUPPLY"}, ["supplied"]),
        ({"status": "CLOSED"}, []),
        ({"ordered_to": "{ten_days_ago}"}, ["entered"]),
        ({"ordered_from": "{today}"}, ["unbooked", "supplied", "booked"]),
        ({"customer": "acme", "status": "ENTERED", "item": "STO"}, ["unbooked"]),
    ],
)
def test_search_and_filters(clerk, orders, search, expected):
    values = {
        "supplied": orders["supplied"].number,
        "supplied_pk": orders["supplied"].pk,
        "ten_days_ago": (date.today() - timedelta(days=10)).isoformat(),
        "today": date.today().isoformat(),
    }
    params = {key: value.format(**values) for key, value in search.items()}
    response = clerk.get(LIST, params)
    assert shown(response) == [orders[key].number for key in expected]


def test_a_bad_search_says_why_and_shows_nothing(clerk, orders):
    response = clerk.get(LIST, {"number": "PO-12", "ordered_from": "2030-01-02"})
    assert shown(response) == []
    assert "Enter an order number like SO-000123 or 123." in response.content.decode()
    response = clerk.get(LIST, {"ordered_from": "2030-01-02", "ordered_to": "2030-01-01"})
    assert "The end date is before the start date." in response.content.decode()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        # Ties (the two Acme orders) newest first.
        ("customer", ["unbooked", "entered", "booked", "supplied"]),
        ("-customer", ["supplied", "booked", "unbooked", "entered"]),
        ("number", ["entered", "booked", "supplied", "unbooked"]),
        ("ordered", ["entered", "unbooked", "supplied", "booked"]),
        ("-requested", ["entered", "unbooked", "supplied", "booked"]),
        ("nonsense", ["unbooked", "supplied", "booked", "entered"]),
    ],
)
def test_sorting_by_a_whitelisted_column(clerk, orders, sort, expected):
    response = clerk.get(LIST, {"sort": sort})
    assert shown(response) == [orders[key].number for key in expected]


def test_the_sort_links_reverse_the_current_sort_and_keep_the_search(clerk, orders):
    response = clerk.get(LIST, {"sort": "customer", "customer": "a", "page": "1"})
    columns = {column["label"]: column for column in response.context["columns"]}
    assert (columns["Customer"]["next"], columns["Customer"]["aria"]) == ("-customer", "ascending")
    assert columns["Ordered"]["next"] == "ordered" and columns["Status"]["next"] is None
    assert 'href="?sort=-customer&amp;customer=a"' in response.content.decode()


def test_pages_of_25(clerk, world):
    bulk_book_orders(world, count=30)
    first = clerk.get(LIST)
    second = clerk.get(LIST, {"page": 2})
    assert len(first.context["object_list"]) == 25
    assert len(second.context["object_list"]) == 5
    assert "page=2" in first.content.decode()


@pytest.mark.parametrize("params", [{}, {"status": "BOOKED", "item": "SRV", "sort": "customer"}])
def test_the_number_of_queries_does_not_grow_with_the_orders(clerk, world, params):
    bulk_book_orders(world, count=5)
    with_5 = queries_to_render(clerk, LIST, **params)
    bulk_book_orders(world, count=195)
    assert SalesOrder.objects.count() == 200
    assert queries_to_render(clerk, LIST, **params) == with_5


def test_another_units_orders_are_not_listed(client, world, orders):
    client.force_login(unit_user(world, "eu_clerk", "Order Entry Clerk"))
    response = client.get(LIST)
    assert shown(response) == []
    assert shown(client.get(LIST, {"number": orders["booked"].number})) == []


def test_roles_without_order_access_get_403(client, users):
    for username in ("receiver", "ap"):
        client.force_login(users[username])
        assert client.get(LIST).status_code == 403


def test_statuses_offered_in_the_filter_follow_the_line_states(clerk):
    response = clerk.get(LIST)
    choices = dict(response.context["search"].fields["status"].choices)
    assert choices[LineStatus.AWAITING_SHIPPING] == "Awaiting Shipping"
    assert choices[LineStatus.CANCELLED] == "Cancelled"
