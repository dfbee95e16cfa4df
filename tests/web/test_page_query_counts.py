"""Pages whose cost does not grow with the data (issue 13): each document page reads the
same number of queries for a document of 5 lines as for one of 200, and the dashboard,
the Exceptions work area and Manage Orders the same for 5 rows as for 200."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from invoicing.models import ARInvoice
from invoicing.services import APLineInput, ap_invoice_create, autoinvoice_import
from orchestration.demo import bulk_book_orders
from receiving.services import ReceiptLineInput, receipt_create
from tests.helpers import queries_to_render, ship

pytestmark = pytest.mark.django_db


def document_pages(world, drive_to_po, lines: int) -> dict[str, str]:
    """An order of ``lines`` lines carried to its PO, received, shipped, billed to the
    customer and invoiced by the supplier; the address of each of its document pages."""
    order, po_lines = drive_to_po(*[("SRV-DL380-G11", "1")] * lines)
    purchase_order = po_lines[0].purchase_order
    receipt_create(
        actor=world.users["receiver"],
        purchase_order=purchase_order,
        lines=[
            ReceiptLineInput(purchase_order_line=line, quantity=Decimal(1)) for line in po_lines
        ],
    )
    [shipment] = ship(world, sales_order=order)
    autoinvoice_import(actor=world.users["ar"])
    ap_invoice = ap_invoice_create(
        actor=world.users["ap"],
        purchase_order=purchase_order,
        supplier_invoice_number=f"BIG-{lines}",
        invoice_date=timezone.localdate(),
        lines=[APLineInput(purchase_order_line=line, quantity=Decimal(1)) for line in po_lines],
    )
    ar_invoice = ARInvoice.objects.filter(lines__sales_order_line__order=order).distinct().get()
    return {
        "order": reverse("orders:detail", args=[order.pk]),
        "purchase order": reverse("procurement:po_detail", args=[purchase_order.pk]),
        "pick slip": reverse("shipping:wave_detail", args=[shipment.pick_wave_id]),
        "shipment": reverse("shipping:shipment_detail", args=[shipment.pk]),
        "AR invoice": reverse("invoicing:ar_detail", args=[ar_invoice.pk]),
        "AP invoice": reverse("invoicing:ap_detail", args=[ap_invoice.pk]),
    }


def test_a_document_page_costs_the_same_queries_at_5_and_200_lines(
    client, world, users, drive_to_po
):
    client.force_login(users["admin"])
    small = document_pages(world, drive_to_po, 5)
    large = document_pages(world, drive_to_po, 200)
    at_5 = {page: queries_to_render(client, url) for page, url in small.items()}
    at_200 = {page: queries_to_render(client, url) for page, url in large.items()}
    assert at_200 == at_5


@pytest.mark.parametrize(
    ("username", "url", "params"),
    [
        ("admin", "home", {}),
        ("clerk", "orders:list", {}),
        ("clerk", "orders:list", {"status": "BOOKED"}),
        ("clerk", "orders:list", {"sort": "customer"}),
        ("shipper", "shipping:release", {}),
    ],
)
def test_a_list_page_costs_the_same_queries_at_5_and_200_rows(
    client, world, users, username, url, params
):
    client.force_login(users[username])
    url = reverse(url)
    bulk_book_orders(world, count=5)
    at_5 = queries_to_render(client, url, **params)
    bulk_book_orders(world, count=195)
    assert queries_to_render(client, url, **params) == at_5
