"""A receipt costs the same few statements whatever its number of lines: lines are read,
locked and written as a set, never one line after another; its page too."""

from decimal import Decimal

import pytest
from django.urls import reverse

from b2b_portal.document_lines import LINES_PER_PAGE
from orders.models import LineStatus
from procurement.models import POLineStatus, POStatus, PurchaseOrder, PurchaseOrderLine
from receiving.services import ReceiptLineInput, receipt_create
from tests.helpers import history_users, queries_to_render
from tests.receiving.support import fresh, pegged_order, queries_of

pytestmark = pytest.mark.django_db

# Statements of one receipt, whatever its size (0.2 a line at 200 lines).
CEILING = 40


def receive_all_but_one_in_full(world, po_lines):
    """One receipt of every line, in full except the first (half of it): both outcomes of a
    line (closed for receiving, still open) are in the document."""
    return receipt_create(
        actor=fresh(world.users["receiver"]),
        purchase_order=po_lines[0].purchase_order,
        lines=[
            ReceiptLineInput(
                purchase_order_line=line,
                quantity=line.quantity / 2 if line == po_lines[0] else line.quantity,
            )
            for line in po_lines
        ],
    )


def test_a_receipt_of_200_lines_costs_the_statements_of_one_of_5(world):
    few, few_po_lines = pegged_order(world, 5)
    many, many_po_lines = pegged_order(world, 200)
    # The receiver's permission set is kept between requests: loaded before either count.
    fresh(world.users["receiver"]).get_all_permissions()

    counts = [
        queries_of(lambda po_lines=po_lines: receive_all_but_one_in_full(world, po_lines))
        for po_lines in (few_po_lines, many_po_lines)
    ]

    assert counts[0] == counts[1] <= CEILING, counts
    for order, po_lines in ((few, few_po_lines), (many, many_po_lines)):
        lines = list(order.lines.order_by("line_number"))
        assert [line.status for line in lines] == [LineStatus.AWAITING_SUPPLY] + [
            LineStatus.AWAITING_SHIPPING
        ] * (len(lines) - 1)
        assert [line.reserved_quantity for line in lines] == [Decimal("1")] + [Decimal("2")] * (
            len(lines) - 1
        )
        assert history_users(lines[-1])[-1] == "receiver"
        statuses = PurchaseOrderLine.objects.filter(pk__in=[line.pk for line in po_lines])
        assert list(statuses.order_by("pk").values_list("status", flat=True)) == [
            POLineStatus.OPEN
        ] + [POLineStatus.CLOSED_FOR_RECEIVING] * (len(lines) - 1)
        assert PurchaseOrder.objects.get(pk=po_lines[0].purchase_order_id).status == POStatus.OPEN


def test_the_receipt_page_of_200_lines_reads_the_queries_of_one_of_5(world, client):
    receipts = {
        count: receive_all_but_one_in_full(world, pegged_order(world, count)[1])
        for count in (5, 200)
    }
    client.force_login(world.users["receiver"])
    urls = {
        count: reverse("receiving:receipt_detail", args=[r.pk]) for count, r in receipts.items()
    }
    client.get(urls[5])  # the user's permissions are cached from the first page on

    assert queries_to_render(client, urls[200]) == queries_to_render(client, urls[5])
    page = client.get(urls[200], {"lines": 4})
    rows = list(page.context["line_page"])
    assert len(rows) == LINES_PER_PAGE
    assert [(row.quantity, row.reserved, row.reserved_now) for row in rows] == [
        ("2", "2", "2")
    ] * LINES_PER_PAGE
    assert {row.so_line_status for row in rows} == {"Awaiting Shipping"}
    assert "Lines 151-200 of 200" in page.content.decode()
