"""The AR Accountant's workbench: AR invoices made by Import AutoInvoice, Complete, print."""

from decimal import Decimal

import pytest
from django.urls import reverse

from invoicing.models import ARInvoice, ARStatus
from invoicing.services import autoinvoice_import
from orders.models import LineStatus
from tests.helpers import queries_to_render, ship, snapshot, unit_user
from tests.web.shipping.support import invoiced_in_bulk, reserved_order

pytestmark = pytest.mark.django_db

IMPORT_AUTOINVOICE = "/processes/schedule/?process=autoinvoice_import"


@pytest.fixture
def ar(client, users):
    client.force_login(users["ar"])
    return client


@pytest.fixture
def invoice(world, drive_to_po) -> ARInvoice:
    """An order of 2 servers at 48,500.00 shipped and billed by Import AutoInvoice."""
    reserved_order(world, drive_to_po, "2")
    ship(world)
    autoinvoice_import(actor=world.users["ar"])
    return ARInvoice.objects.get()


def test_ar_invoice_shows_its_lines_and_complete_closes_them(ar, world, invoice):
    [line] = invoice.lines.select_related("sales_order_line__order", "shipment_line__shipment")
    page = ar.get(invoice.get_absolute_url())
    content = page.content.decode()
    assert page.context["may_complete"] is True
    for text in (
        line.sales_order_line.order.number,
        line.shipment_line.shipment.number,
        "48,500.00",
        "97,000.00 USD",
        reverse("invoicing:ar_complete", args=[invoice.pk]),
        reverse("invoicing:ar_print", args=[invoice.pk]),
    ):
        assert text in content

    response = ar.post(reverse("invoicing:ar_complete", args=[invoice.pk]), follow=True)
    assert f"{invoice.number} is complete; its order lines are closed." in response.content.decode()
    invoice.refresh_from_db()
    line.sales_order_line.refresh_from_db()
    assert (invoice.status, invoice.completed_by) == (ARStatus.COMPLETE, world.users["ar"])
    assert line.sales_order_line.status == LineStatus.CLOSED
    assert response.context["may_complete"] is False

    before = snapshot()
    again = ar.post(reverse("invoicing:ar_complete", args=[invoice.pk]), follow=True)
    assert f"{invoice.number} is Complete: it cannot complete now." in again.content.decode()
    assert snapshot() == before


def test_printable_invoice(ar, world, invoice):
    page = ar.get(reverse("invoicing:ar_print", args=[invoice.pk])).content.decode()
    for text in (invoice.number, "Acme Analytics", "SRV-DL380-G11", "97,000.00", "data-print"):
        assert text in page


def test_ar_list_offers_import_autoinvoice_and_filters(ar, invoice):
    listing = ar.get(reverse("invoicing:ar_list"))
    assert list(listing.context["object_list"]) == [invoice]
    assert listing.context["object_list"][0].total == Decimal("97000.00")
    assert IMPORT_AUTOINVOICE in listing.content.decode()
    assert ar.get(IMPORT_AUTOINVOICE).status_code == 200
    assert (
        list(ar.get(reverse("invoicing:ar_list"), {"status": "COMPLETE"}).context["object_list"])
        == []
    )
    found = ar.get(reverse("invoicing:ar_list"), {"q": invoice.sales_order.number})
    assert list(found.context["object_list"]) == [invoice]


def test_roles_and_business_units(client, world, invoice):
    pages = [
        reverse("invoicing:ar_list"),
        invoice.get_absolute_url(),
        reverse("invoicing:ar_print", args=[invoice.pk]),
    ]
    complete = reverse("invoicing:ar_complete", args=[invoice.pk])
    for role in ("clerk", "shipper", "ap"):
        client.force_login(world.users[role])
        assert [client.get(url).status_code for url in pages] == [403, 403, 403]
        assert client.post(complete).status_code == 403

    before = snapshot()
    client.force_login(unit_user(world, "eu_ar", "AR Accountant"))
    assert [client.get(url).status_code for url in pages[1:]] == [404, 404]
    assert client.post(complete).status_code == 404
    assert list(client.get(pages[0]).context["object_list"]) == []
    assert snapshot() == before


@pytest.mark.slow
def test_ar_list_queries_do_not_grow_with_rows(ar, world):
    url = reverse("invoicing:ar_list")
    invoiced_in_bulk(world, 5)
    at_5 = queries_to_render(ar, url, sort="-total")
    invoiced_in_bulk(world, 195)
    assert ARInvoice.objects.count() == 200
    assert queries_to_render(ar, url, sort="-total") == at_5
    assert queries_to_render(ar, url, sort="customer", page=8) == at_5
