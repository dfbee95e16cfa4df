"""Admin pages read a constant number of queries whatever the number of rows or lines."""

import pytest
from django.contrib import admin

from invoicing.models import ARInvoice
from invoicing.services import autoinvoice_import
from receiving.services import ReceiptLineInput, receipt_create
from shipping.services import shipment_ship_confirm
from tests.admin.support import DOMAIN_APPS, admin_url, changelist_url
from tests.helpers import queries_to_render, release

pytestmark = pytest.mark.django_db

DOMAIN_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in DOMAIN_APPS),
    key=lambda model: model._meta.label,
)


def _cycle(world, drive_to_po, *quantities):
    """An order of ``SRV-DL380-G11`` lines (one PO) carried to its AR invoice; returns
    the documents whose change pages show those lines."""
    order, po_lines = drive_to_po(*[("SRV-DL380-G11", quantity) for quantity in quantities])
    purchase_order = po_lines[0].purchase_order
    receipt = receipt_create(
        actor=world.users["receiver"],
        purchase_order=purchase_order,
        lines=[
            ReceiptLineInput(purchase_order_line=line, quantity=line.quantity) for line in po_lines
        ],
    )
    wave = release(world, sales_order=order)
    shipment = wave.shipments.get()
    shipment_ship_confirm(actor=world.users["shipper"], shipment=shipment)
    autoinvoice_import(actor=world.users["ar"])
    return [
        order,
        purchase_order,
        receipt,
        wave,
        shipment,
        ARInvoice.objects.get(sales_order=order),
    ]


def test_changelists_do_not_read_per_row(client, world, drive_to_po):
    client.force_login(world.users["admin"])
    _cycle(world, drive_to_po, "1")
    urls = [changelist_url(model) for model in DOMAIN_MODELS]
    for url in urls:
        client.get(url)  # warm the per-process caches (content types)
    few = {url: queries_to_render(client, url) for url in urls}
    for _ in range(2):
        _cycle(world, drive_to_po, "1", "2")
    many = {url: queries_to_render(client, url) for url in urls}
    assert many == few


def test_change_pages_do_not_read_per_line(client, world, drive_to_po):
    client.force_login(world.users["admin"])
    one_line = _cycle(world, drive_to_po, "1")
    three_lines = _cycle(world, drive_to_po, "1", "2", "3")
    for small, large in zip(one_line, three_lines, strict=True):
        url = admin_url(type(small), "change", small.pk)
        larger_url = admin_url(type(large), "change", large.pk)
        client.get(url)  # warm the per-process caches (content types)
        assert queries_to_render(client, larger_url) == queries_to_render(client, url), type(
            small
        ).__name__
