"""Long document pages stay fast (issue 13 item 3): each document page shows its lines a
page at a time (50, ``?lines=2``) with the line count, reads the same queries whatever
its lines, keeps its header totals over every line; the printed documents, their PDFs
and Ship Confirm (a form over every line) keep every line."""

from decimal import Decimal

import pytest
from django.urls import reverse

from b2b_portal.document_lines import LINES_PER_PAGE
from orders.models import SalesOrderLine
from receiving.models import Receipt
from receiving.services import ReceiptLineInput, receipt_create
from tests.helpers import queries_to_render, release
from tests.web.test_page_query_counts import document_pages

pytestmark = pytest.mark.django_db

LINES = 60  # two pages: 50 and 10


def documents(world, drive_to_po, lines: int) -> dict[str, str]:
    """The address of each document page of a ``lines``-line order carried through the
    cycle (the pick slip aside: it is a work list, not a document of this issue)."""
    pages = document_pages(world, drive_to_po, lines)
    del pages["pick slip"]
    receipt = Receipt.objects.latest("pk")
    return {**pages, "receipt": reverse("receiving:receipt_detail", args=[receipt.pk])}


def shown(response) -> list:
    return list(response.context["line_page"])


def test_each_document_page_shows_its_lines_a_page_at_a_time(client, world, users, drive_to_po):
    client.force_login(users["admin"])
    for name, url in documents(world, drive_to_po, LINES).items():
        first = client.get(url)
        assert len(shown(first)) == LINES_PER_PAGE, name
        assert f"Lines 1-50 of {LINES}" in first.content.decode(), name
        assert 'href="?lines=2"' in first.content.decode(), name
        second = client.get(url, {"lines": 2})
        assert len(shown(second)) == LINES - LINES_PER_PAGE, name
        assert f"Lines 51-60 of {LINES}" in second.content.decode(), name
        assert not {line.pk for line in shown(first)} & {line.pk for line in shown(second)}, name
        # Past the end: the last page; no number: the first.
        assert shown(client.get(url, {"lines": 99})) == shown(second), name
        assert shown(client.get(url, {"lines": "two"})) == shown(first), name


def test_the_header_totals_count_every_line_not_the_pages(client, world, users, drive_to_po):
    client.force_login(users["admin"])
    pages = documents(world, drive_to_po, LINES)
    order_page = client.get(pages["order"], {"lines": 2})
    order = order_page.context["order"]
    assert order_page.context["total_amount"] == order.total_amount > 0
    assert order_page.context["order_status"] == order.status
    po_page = client.get(pages["purchase order"], {"lines": 2})
    purchase_order = po_page.context["purchase_order"]
    assert po_page.context["total_amount"] == purchase_order.total_amount
    for name in ("AP invoice", "AR invoice"):
        response = client.get(pages[name], {"lines": 2})
        invoice = response.context["invoice"]
        assert response.context["tax"] == invoice.tax, name  # the model's, from every line
        assert response.context["tax"].subtotal == invoice.total_amount > 0, name


def test_a_page_of_120_lines_reads_the_queries_of_5(client, world, users, drive_to_po):
    client.force_login(users["admin"])
    small = documents(world, drive_to_po, 5)
    large = documents(world, drive_to_po, 120)
    at_5 = {name: queries_to_render(client, url) for name, url in small.items()}
    for number in (1, 3):
        at_120 = {name: queries_to_render(client, url, lines=number) for name, url in large.items()}
        assert at_120 == at_5


def test_printed_documents_and_pdfs_show_every_line(client, world, users, drive_to_po):
    client.force_login(users["admin"])
    pages = documents(world, drive_to_po, LINES)
    purchase_order = client.get(pages["purchase order"]).context["purchase_order"]
    printed = client.get(reverse("procurement:po_print", args=[purchase_order.pk]))
    assert printed.content.decode().count("<tr><td>") == LINES
    invoice = client.get(pages["AR invoice"]).context["invoice"]
    printed = client.get(reverse("invoicing:ar_print", args=[invoice.pk]))
    assert len(printed.context["invoice"].lines.all()) == LINES
    assert "line_page" not in printed.context
    ap_invoice = client.get(pages["AP invoice"]).context["invoice"]
    pdf = client.get(reverse("invoicing:ap_pdf", args=[ap_invoice.pk]))
    assert pdf.content.startswith(b"%PDF-") and len(shown(pdf)) == LINES
    shipment = client.get(pages["shipment"]).context["shipment"]
    pdf = client.get(reverse("shipping:shipment_pdf", args=[shipment.pk]))
    assert pdf.content.startswith(b"%PDF-") and len(pdf.context["rows"]) == LINES


def test_ship_confirm_keeps_every_line_on_its_form(client, world, users, drive_to_po):
    """The released shipment's page is a form over every line: it is not paged."""
    order, po_lines = drive_to_po(*[("SRV-DL380-G11", "1")] * LINES)
    receipt_create(
        actor=users["receiver"],
        purchase_order=po_lines[0].purchase_order,
        lines=[
            ReceiptLineInput(purchase_order_line=line, quantity=Decimal(1)) for line in po_lines
        ],
    )
    [shipment] = release(world, sales_order=order).shipments.all()
    client.force_login(users["shipper"])
    response = client.get(reverse("shipping:shipment_detail", args=[shipment.pk]))
    assert response.context["line_page"] is None
    assert [field is not None for _, field in response.context["rows"]] == [True] * LINES
    assert "Lines 1-50" not in response.content.decode()


def test_the_history_pages_newest_first_over_the_header_and_every_line(
    client, world, users, drive_to_po
):
    order, _ = drive_to_po(*[("SRV-DL380-G11", "1")] * LINES)
    client.force_login(users["clerk"])
    url = reverse("orders:detail", args=[order.pk])
    every = order.history.count() + SalesOrderLine.history.filter(order=order).count()
    assert every > 2 * LINES
    pages, number = [], 1
    while True:
        history = client.get(url, {"history": number}).context["history"]
        pages.append(list(history))
        if not history.has_next():
            break
        number += 1
    rows = [row for page in pages for row in page]
    assert [len(page) for page in pages[:-1]] == [LINES_PER_PAGE] * (len(pages) - 1)
    assert len({(row.what, row.record.history_id) for row in rows}) == len(rows) == every
    dates = [row.record.history_date for row in rows]
    assert dates == sorted(dates, reverse=True)
    assert {row.what for row in rows} == {"Order"} | {f"Line {n}" for n in range(1, LINES + 1)}
