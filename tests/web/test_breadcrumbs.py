"""Issue 12 item 10: every page shows "Area / List / Number / Action" from one rule
(templatetags/breadcrumbs.py); tests/browser/test_every_page.py checks every page has it."""

import re

import pytest
from django.urls import reverse

from invoicing.services import ap_invoice_validate
from procurement.models import RequisitionLine
from procurement.services import orders_progress, supply_orders_generate
from tests.helpers import enter_ap_invoice, place_order, receive

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


def test_a_line_or_hold_page_shows_its_document(client, world, users, drive_to_po):
    """Pages acting on a line or a hold (the URL's pk is the line's) name the document the
    line belongs to, linked; a requisition line, which has no page, names itself."""
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    so_line, purchase_order = po_line.sales_order_line, po_line.purchase_order
    client.force_login(users["admin"])
    pos = reverse("procurement:po_list")
    for name, pk, document in [
        ("orchestration:line_cancel", so_line.pk, order),
        ("orchestration:line_change_quantity", so_line.pk, order),
        ("orders:line_edit", so_line.pk, order),
        ("procurement:po_line_edit", po_line.pk, purchase_order),
        ("procurement:po_line_cancel", po_line.pk, purchase_order),
        ("orchestration:po_line_close_short", po_line.pk, purchase_order),
    ]:
        crumbs = trail(client, reverse(name, args=[pk]))
        assert crumbs[-2] == (str(document), document.get_absolute_url()), name
    assert trail(client, reverse("procurement:po_line_edit", args=[po_line.pk]))[:2] == [
        ("Procurement", ""),
        ("Manage Purchase Orders", pos),
    ]

    receive(world, po_line, "2")
    invoice = enter_ap_invoice(world, po_line, "2", unit_price="40000.00")
    ap_invoice_validate(actor=users["ap"], invoice=invoice)
    [hold] = invoice.holds.all()
    assert trail(client, reverse("invoicing:hold_release", args=[hold.pk])) == [
        ("Payables", ""),
        ("AP Invoices", reverse("invoicing:ap_list")),
        (str(invoice), invoice.get_absolute_url()),
        ("Release hold", ""),
    ]


def test_a_requisition_line_cancel_page_names_the_line(client, world, users):
    order = place_order(world, ("SRV-DL380-G11", "1"))
    orders_progress(actor=users["manager"], sales_order=order)
    supply_orders_generate(actor=users["buyer"])
    [requisition_line] = RequisitionLine.objects.all()
    client.force_login(users["buyer"])
    url = reverse("procurement:requisition_line_cancel", args=[requisition_line.pk])
    assert trail(client, url) == [
        ("Procurement", ""),
        ("Process Requisitions", reverse("procurement:requisitions")),
        (str(requisition_line), ""),
        ("Cancel line", ""),
    ]


def test_a_crumb_links_only_to_a_page_the_user_may_open(client, world, users):
    """An AP clerk traces an invoiced line to its order but may not open sales orders:
    the trail names Manage Orders and the order without a link (the user would only be
    refused on them); the clerk, who may, gets both links."""
    line = place_order(world, ("SRV-DL380-G11", "1")).lines.get()
    trace = reverse("orchestration:peg_trace", args=[line.pk])
    order = line.order

    client.force_login(users["ap"])
    assert trail(client, trace) == [
        ("Order Management", ""),
        ("Manage Orders", ""),
        (str(order), ""),
        ("Peg Trace", ""),
    ]
    assert client.get(reverse("orders:list")).status_code == 403

    client.force_login(users["clerk"])
    assert trail(client, trace)[1:3] == [
        ("Manage Orders", reverse("orders:list")),
        (str(order), order.get_absolute_url()),
    ]
