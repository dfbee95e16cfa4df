"""Issue 12 item 10: every page shows "Area / List / Number / Action" from one rule
(templatetags/breadcrumbs.py); tests/browser/test_every_page.py checks every page has it."""

import re

import pytest
from django.urls import reverse

from tests.helpers import place_order

pytestmark = pytest.mark.django_db

TRAIL = re.compile(r'<nav aria-label="Breadcrumb".*?</nav>', re.S)
ITEM = re.compile(r'<li class="breadcrumb-item[^"]*"[^>]*>(?:<a href="([^"]*)">)?([^<]*)')


def trail(client, url) -> list[tuple[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    match = TRAIL.search(response.content.decode())
    return [] if match is None else [(text, href) for href, text in ITEM.findall(match.group())]


def test_list_document_and_action_pages(client, world, users):
    order = place_order(world, ("SRV-DL380-G11", "1"), book=False)
    client.force_login(users["clerk"])
    orders = reverse("orders:list")
    assert trail(client, orders) == [("Order Management", ""), ("Manage Orders", "")]
    assert trail(client, order.get_absolute_url()) == [
        ("Order Management", ""),
        ("Manage Orders", orders),
        (str(order), ""),
    ]
    assert trail(client, reverse("orders:edit", args=[order.pk])) == [
        ("Order Management", ""),
        ("Manage Orders", orders),
        (str(order), order.get_absolute_url()),
        ("Edit", ""),
    ]
    assert trail(client, reverse("orders:create"))[-1] == ("Create Order", "")


def test_home_has_none(client, users):
    client.force_login(users["clerk"])
    assert trail(client, reverse("home")) == []
