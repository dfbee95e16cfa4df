"""The order page: lines with their status, quantities and supply; Book; unit scoping."""

import pytest
from django.urls import reverse

from b2b_portal.links import document_url
from orders.models import LineStatus
from procurement.models import SupplyStatus
from tests.helpers import messages_of, place_order, queries_to_render, snapshot, unit_user

pytestmark = pytest.mark.django_db


def detail(order) -> str:
    return reverse("orders:detail", args=[order.pk])


def book(order) -> str:
    return reverse("orders:book", args=[order.pk])


def test_each_line_shows_its_status_quantities_and_supply(client, users, drive_to_po):
    order, [po_line, other_po_line] = drive_to_po(("SRV-DL380-G11", "2"), ("SRV-R760-XA", "1"))
    client.force_login(users["clerk"])
    response = client.get(detail(order))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.line.status for row in rows] == [LineStatus.AWAITING_SUPPLY] * 2
    assert [row.supply_order.status for row in rows] == [SupplyStatus.ORDERED] * 2
    assert [row.po_line for row in rows] == [po_line, other_po_line]
    content = response.content.decode()
    for row in rows:
        assert row.supply_order.number in content
        assert row.requisition_line.requisition.number in content
        assert row.po_line.purchase_order.number in content
        assert reverse("orchestration:peg_trace", args=[row.line.pk]) in content
    assert "Awaiting Supply" in content and "Ordered" in content
    assert not response.context["can_book"] and "/book/" not in content
    assert [row.po_url for row in rows] == [None, None]  # the clerk does not open POs
    client.force_login(users["manager"])
    rows = client.get(detail(order)).context["rows"]
    assert [row.po_url for row in rows] == [
        document_url(line.purchase_order) for line in (po_line, other_po_line)
    ]


def test_the_page_reads_a_constant_number_of_queries(client, users, drive_to_po):
    client.force_login(users["clerk"])
    small, _ = drive_to_po(("SRV-DL380-G11", "1"))
    large, _ = drive_to_po(*[("SRV-DL380-G11", "1")] * 6)
    assert queries_to_render(client, detail(large)) == queries_to_render(client, detail(small))


def test_the_clerk_books_an_entered_order_from_its_page(client, world, users):
    order = place_order(world, ("SRV-DL380-G11", "1"), book=False)
    client.force_login(users["clerk"])
    page = client.get(detail(order))
    assert page.context["can_book"] and f'action="{book(order)}"'.encode() in page.content
    response = client.post(book(order))
    assert response.status_code == 302 and response["Location"] == detail(order)
    assert order.lines.get().status == LineStatus.BOOKED
    assert messages_of(client.get(detail(order))) == [f"{order.number} is booked."]


def test_booking_twice_says_why(client, world, users):
    order = place_order(world, ("SRV-DL380-G11", "1"))
    client.force_login(users["clerk"])
    before = snapshot()
    client.post(book(order))
    assert snapshot() == before
    assert messages_of(client.get(detail(order))) == [
        f"{order.number} has no entered lines to book."
    ]


def test_roles_without_the_book_permission_see_no_button_and_get_403(client, world, users):
    order = place_order(world, ("SRV-DL380-G11", "1"), book=False)
    client.force_login(users["ar"])  # may view orders, not book them
    page = client.get(detail(order))
    assert page.status_code == 200 and b"/book/" not in page.content
    assert client.post(book(order)).status_code == 403
    client.force_login(users["buyer"])
    assert client.post(book(order)).status_code == 403
    assert order.lines.get().status == LineStatus.ENTERED


def test_another_units_order_is_404(client, world):
    order = place_order(world, ("SRV-DL380-G11", "1"), book=False)
    client.force_login(unit_user(world, "eu_clerk", "Order Entry Clerk"))
    before = snapshot()
    assert client.get(detail(order)).status_code == 404
    assert client.post(book(order)).status_code == 404
    assert snapshot() == before


def test_user_text_is_escaped(client, world, users):
    order = place_order(world, ("SRV-DL380-G11", "1"), book=False)
    order.customer_po_number = "<script>alert(1)</script>"
    order.save()
    client.force_login(users["clerk"])
    content = client.get(detail(order)).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
