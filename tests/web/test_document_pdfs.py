"""Documents as PDF (issue 12 item 9): each printed document downloaded through its view,
with the print page's permission and business-unit scoping, and read back from the file:
its number, the business unit's and the party's addresses, payment terms and due date,
lines, tax lines and totals."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from b2b_portal.pdf import PDF_CONTENT_TYPE, FetchRefused, StaticOnlyURLFetcher
from catalog.models import BusinessUnit, Customer
from invoicing.models import APInvoice, ARCreditMemo, ARInvoice
from invoicing.services import ar_invoice_complete, autoinvoice_import
from invoicing.services.ar_corrections import CreditLineInput, ar_credit_memo_create
from orchestration.demo import load_demo_data
from shipping.models import PickWave, Shipment
from tests.helpers import enter_ap_invoice, receive, ship, unit_user

pytestmark = pytest.mark.django_db

UNIT_ADDRESS = "1 Harbor Way\nSeattle, WA 98101"
CUSTOMER_ADDRESS = "100 Main Street\nSpringfield, IL 62701"
SUPPLIER_ADDRESS = "7 Remittance Road\nPortland, OR 97201"


@dataclass
class Documents:
    purchase_order: object
    wave: PickWave
    shipment: Shipment
    ap_invoice: APInvoice
    ar_invoice: ARInvoice
    credit_memo: ARCreditMemo


@pytest.fixture
def documents(world, drive_to_po) -> Documents:
    """US1 taxes at 10 % and the server at its own 20 %; Acme pays net 45, Northwind is paid
    net 60. Two servers and one GPU server ordered, bought, received, shipped, billed (AR and
    AP) and one server credited."""
    us1 = world.units["US1"]
    us1.address, us1.tax_rate = UNIT_ADDRESS, Decimal("10")
    us1.save()
    world.items["SRV-DL380-G11"].tax_rate = Decimal("20")
    world.items["SRV-DL380-G11"].save()
    customer = world.customers["C-1001"]
    customer.address, customer.payment_terms_days = CUSTOMER_ADDRESS, 45
    customer.save()
    supplier = world.suppliers["S-100"]
    supplier.address, supplier.payment_terms_days = SUPPLIER_ADDRESS, 60
    supplier.save()

    order, po_lines = drive_to_po(("SRV-DL380-G11", "2"), ("SRV-R760-XA", "1"))
    for po_line in po_lines:
        receive(world, po_line, po_line.quantity)
    [shipment] = ship(world)
    autoinvoice_import(actor=world.users["ar"])
    ar_invoice = ar_invoice_complete(
        actor=world.users["ar"], invoice=ARInvoice.objects.get(sales_order=order)
    )
    server_line = ar_invoice.lines.get(sales_order_line__item__number="SRV-DL380-G11")
    credit_memo = ar_credit_memo_create(
        actor=world.users["ar"],
        invoice=ar_invoice,
        lines=[CreditLineInput(invoice_line=server_line, quantity=Decimal("1"))],
        reason="one server returned",
    )
    server_po_line = next(line for line in po_lines if line.item.number == "SRV-DL380-G11")
    ap_invoice = enter_ap_invoice(world, server_po_line, "2", number="NW-7781")
    return Documents(
        purchase_order=server_po_line.purchase_order,
        wave=shipment.pick_wave,
        shipment=shipment,
        ap_invoice=ap_invoice,
        ar_invoice=ar_invoice,
        credit_memo=credit_memo,
    )


def pdf_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == PDF_CONTENT_TYPE
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def assert_in_order(text: str, *parts: str) -> None:
    """Each part is in the text, in this order; whitespace is left out of both, since a
    narrow column wraps an item number at its hyphens."""
    folded = "".join(text.split())
    position = 0
    for part in parts:
        part = "".join(part.split())
        found = folded.find(part, position)
        assert found >= 0, f"{part!r} not found after position {position} in {folded!r}"
        position = found + len(part)


def test_purchase_order_pdf(client, world, documents):
    purchase_order = documents.purchase_order
    client.force_login(world.users["buyer"])
    text = pdf_text(client, reverse("procurement:po_pdf", args=[purchase_order.pk]))
    assert_in_order(
        text,
        purchase_order.number,
        "1 Harbor Way",
        "Seattle, WA 98101",
        "Northwind Server Supply (S-100)",
        "7 Remittance Road",
        "Portland, OR 97201",
        "Net 60 days",
    )
    # 2 x 39,800.00 at the server's own 20 %.
    assert_in_order(
        text,
        "SRV-DL380-G11",
        "39,800.00",
        "79,600.00",
        "Net amount 79,600.00 USD",
        "Tax 20 % on 79,600.00 15,920.00 USD",
        "Total including tax 95,520.00 USD",
    )


def test_ar_invoice_pdf(client, world, documents):
    invoice = documents.ar_invoice
    client.force_login(world.users["ar"])
    text = pdf_text(client, reverse("invoicing:ar_pdf", args=[invoice.pk]))
    due = (invoice.invoice_date + timedelta(days=45)).isoformat()
    assert_in_order(
        text,
        f"Invoice {invoice.number}",
        "1 Harbor Way",
        "Acme Analytics (C-1001)",
        "100 Main Street",
        "Springfield, IL 62701",
        "Net 45 days",
        f"Due date {due}",
    )
    # The server at 20 % and the GPU server at the unit's 10 %, one tax line per rate.
    assert_in_order(text, "SRV-DL380-G11", "48,500.00", "97,000.00")
    assert_in_order(text, "SRV-R760-XA", "96,000.00")
    assert_in_order(
        text,
        "Net amount 193,000.00 USD",
        "Tax 10 % on 96,000.00 9,600.00 USD",
        "Tax 20 % on 97,000.00 19,400.00 USD",
        "Total due 222,000.00 USD",
    )
    assert "Skip to content" not in text


def test_credit_memo_pdf(client, world, documents):
    memo = documents.credit_memo
    client.force_login(world.users["ar"])
    text = pdf_text(client, reverse("invoicing:credit_memo_pdf", args=[memo.pk]))
    assert memo.number.startswith("CM-")
    assert_in_order(
        text,
        f"Credit Memo {memo.number}",
        "1 Harbor Way",
        "Acme Analytics (C-1001)",
        "100 Main Street",
        documents.ar_invoice.number,
        "one server returned",
    )
    # Credited at the rate the invoice line charged.
    assert_in_order(
        text,
        "SRV-DL380-G11",
        "48,500.00",
        "Net amount 48,500.00 USD",
        "Tax 20 % on 48,500.00 9,700.00 USD",
        "Total credit including tax 58,200.00 USD",
    )


def test_ap_invoice_pdf(client, world, documents):
    invoice = documents.ap_invoice
    client.force_login(world.users["ap"])
    text = pdf_text(client, reverse("invoicing:ap_pdf", args=[invoice.pk]))
    due = (invoice.invoice_date + timedelta(days=60)).isoformat()
    assert_in_order(
        text,
        f"AP Invoice {invoice.number}",
        "NW-7781",
        "1 Harbor Way",
        "Northwind Server Supply (S-100)",
        "7 Remittance Road",
        "Net 60 days",
        f"Due date {due}",
        "SRV-DL380-G11",
        "79,600.00",
        "Net amount 79,600.00 USD",
        "Tax 20 % on 79,600.00 15,920.00 USD",
        "Total due 95,520.00 USD",
    )
    # What only the screen has (the buttons) is not on paper.
    assert "Cancel Invoice" not in text


def test_pick_slip_pdf(client, world, documents):
    wave, shipment = documents.wave, documents.shipment
    client.force_login(world.users["shipper"])
    text = pdf_text(client, reverse("shipping:wave_pdf", args=[wave.pk]))
    assert_in_order(
        text,
        f"Pick Slip {wave.number}",
        "1 Harbor Way",
        shipment.number,
        "Ship to: Acme Analytics, 100 Main Street",
        "Springfield, IL 62701",
        "SRV-DL380-G11",
        "2 Ea",
    )
    assert_in_order(text, "SRV-R760-XA", "1 Ea")


def test_packing_list_pdf(client, world, documents):
    shipment = documents.shipment
    client.force_login(world.users["shipper"])
    text = pdf_text(client, reverse("shipping:shipment_pdf", args=[shipment.pk]))
    assert_in_order(
        text,
        f"Shipment {shipment.number}",
        "1 Harbor Way",
        "Acme Analytics (C-1001)",
        "100 Main Street",
        "Springfield, IL 62701",
        "SRV-DL380-G11",
    )
    assert_in_order(text, "SRV-R760-XA")
    assert "Un-release" not in text


PDF_VIEWS = [
    ("procurement:po_pdf", "purchase_order", "buyer", "Buyer", "ar"),
    ("invoicing:ar_pdf", "ar_invoice", "ar", "AR Accountant", "ap"),
    ("invoicing:credit_memo_pdf", "credit_memo", "ar", "AR Accountant", "ap"),
    ("invoicing:ap_pdf", "ap_invoice", "ap", "AP Accountant", "ar"),
    ("shipping:wave_pdf", "wave", "shipper", "Shipping Clerk", "ap"),
    ("shipping:shipment_pdf", "shipment", "shipper", "Shipping Clerk", "ap"),
]


@pytest.mark.parametrize(("name", "document", "allowed", "role", "refused"), PDF_VIEWS)
def test_pdf_has_the_print_pages_scoping(
    client, world, documents, name, document, allowed, role, refused
):
    """Another unit's user of the same role gets 404, another role 403, the role the PDF."""
    url = reverse(name, args=[getattr(documents, document).pk])
    client.force_login(unit_user(world, f"{allowed}_eu", role))
    assert client.get(url).status_code == 404
    client.force_login(world.users[refused])
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(world.users[allowed])
    assert client.get(url)["Content-Type"] == PDF_CONTENT_TYPE


def test_the_pdf_fetches_only_the_portals_static_files(settings):
    """Nothing over the network: only ``<base>/static/...`` from disk and inline data."""
    fetcher = StaticOnlyURLFetcher("http://testserver/")
    css = fetcher.fetch("http://testserver/static/portal/portal.css")
    assert b".print-sheet" in css.read()
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    for url in (
        "https://cdn.example.com/bootstrap.css",
        "http://other.example/static/portal/portal.css",
        "http://testserver/media/upload.png",
        "http://testserver/static/../../etc/passwd",
        "http://testserver/static/portal/missing.css",
        "file:///etc/passwd",
    ):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)


def test_demo_data_has_addresses_terms_and_tax():
    """The demo's documents print addresses, terms and tax; loading again keeps an address
    typed in the admin and fills in one left empty (a demo database older than them)."""
    world = load_demo_data()
    us1, acme = world.units["US1"], world.customers["C-1001"]
    assert "Seattle" in us1.address and us1.tax_rate == Decimal("8.25")
    assert "San Francisco" in acme.address and acme.payment_terms_days == 30
    assert world.suppliers["S-100"].payment_terms_days == 45
    assert world.items["CBL-CAT6-3M"].tax_rate == Decimal("5")
    assert world.items["SRV-DL380-G11"].tax_rate is None
    Customer.objects.filter(pk=acme.pk).update(address="Typed in the admin")
    BusinessUnit.objects.filter(pk=us1.pk).update(address="", tax_rate=0)
    load_demo_data()
    assert Customer.objects.get(pk=acme.pk).address == "Typed in the admin"
    us1.refresh_from_db()
    assert "Seattle" in us1.address and us1.tax_rate == Decimal("8.25")


@pytest.mark.parametrize(("name", "document", "allowed", "role", "refused"), PDF_VIEWS)
def test_a_pdf_reads_its_own_small_stylesheet_not_bootstrap(
    client, world, documents, monkeypatch, name, document, allowed, role, refused
):
    """WeasyPrint parsed all of Bootstrap for every PDF (1-2 s); portal/pdf.css is enough."""
    fetched = []
    fetch = StaticOnlyURLFetcher.fetch

    def recording(self, url, headers=None):
        fetched.append(url.rpartition("/static/")[2])
        return fetch(self, url, headers)

    monkeypatch.setattr(StaticOnlyURLFetcher, "fetch", recording)
    client.force_login(world.users[allowed])
    assert client.get(reverse(name, args=[getattr(documents, document).pk])).status_code == 200
    assert fetched == ["portal/pdf.css"]
