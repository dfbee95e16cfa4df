"""The navbar's menus: a user with more sections than fit at 1366 px sees them grouped."""

import pytest
from django.test import RequestFactory

from b2b_portal.navigation import MAX_NAVBAR_SECTIONS, menu

pytestmark = pytest.mark.django_db


def menus_of(user) -> list:
    request = RequestFactory().get("/")
    request.user = user
    return menu(request)["menu"]


def test_the_admins_sections_are_grouped_under_headers(users):
    menus = dict(menus_of(users["admin"]))
    assert len(menus) <= MAX_NAVBAR_SECTIONS
    assert list(menus) == ["Order Management", "Supply", "Shipping", "Finance", "Operations"]
    finance = [label for label, url in menus["Finance"] if url is None]
    assert finance == ["Payables", "Receivables"]


def test_a_role_with_few_sections_keeps_them(users):
    buyer = [name for name, _ in menus_of(users["buyer"])]
    assert {"Procurement", "Receiving"} <= set(buyer) and "Supply" not in buyer
    ap = [name for name, _ in menus_of(users["ap"])]
    assert "Payables" in ap and "Finance" not in ap
