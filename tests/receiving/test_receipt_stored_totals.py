"""A receipt's stored totals (``line_count``, ``total_quantity``) are its lines', written
with it by every way goods are received (the receiving page's service, a supplier's ship
notice, the API); and the PO, AP invoice and receipt lists show the stored columns, the
same cells, sorts and exports as when they summed each listed document's lines."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from invoicing.models import APInvoice
from procurement.models import PurchaseOrder
from receiving.models import Receipt
from receiving.services import ReceiptLineInput, receipt_create
from suppliers.services import ShipNoticeLineInput, ship_notice_create, ship_notice_receive
from tests.api.conftest import token_client
from tests.helpers import enter_ap_invoice, receive
from tests.stored_totals import receipt_totals

pytestmark = pytest.mark.django_db


def test_a_receipt_of_several_lines_stores_their_count_and_quantity(world, drive_to_po):
    _, [server, other] = drive_to_po(("SRV-DL380-G11", "3"), ("SRV-DL380-G11", "2"))
    receipt = receipt_create(
        actor=world.users["receiver"],
        purchase_order=server.purchase_order,
        lines=[
            ReceiptLineInput(purchase_order_line=server, quantity=Decimal("2.5")),
            ReceiptLineInput(purchase_order_line=other, quantity=Decimal("2")),
        ],
    )
    assert receipt_totals(receipt) == (2, Decimal("4.500"))


def test_a_ship_notice_received(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "4"))
    today = timezone.localdate()
    notice = ship_notice_create(
        actor=world.users["supplier"],
        purchase_order=po_line.purchase_order,
        ship_date=today,
        expected_arrival=today + timedelta(days=3),
        carrier="UPS",
        tracking_number="1Z1",
        lines=[ShipNoticeLineInput(purchase_order_line=po_line, quantity=Decimal("3"))],
    )
    receipt = ship_notice_receive(
        actor=world.users["receiver"],
        ship_notice=notice,
        lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=Decimal("3"))],
    )
    assert receipt_totals(receipt) == (1, Decimal("3.000"))


def test_a_receipt_entered_through_the_api(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "20"))
    response = token_client(world.users["receiver"]).post(
        "/api/receipts/",
        {
            "purchase_order": po_line.purchase_order_id,
            "lines": [{"purchase_order_line": po_line.pk, "quantity": "7"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert receipt_totals(Receipt.objects.get()) == (1, Decimal("7.000"))


# --- the lists read the stored columns -------------------------------------------------


@pytest.fixture
def listed(world, drive_to_po):
    """Two POs, each received and invoiced in full; their stored totals then set apart
    from their lines', as only a list reading the columns would show them."""
    documents = []
    for item, quantity in (("SRV-DL380-G11", "2"), ("SRV-R760-XA", "1")):
        _, [po_line] = drive_to_po((item, quantity))
        receipt = receive(world, po_line, quantity)
        invoice = enter_ap_invoice(world, po_line, quantity, number=f"INV-{item}")
        documents.append((po_line.purchase_order, invoice, receipt))
    for n, (purchase_order, invoice, receipt) in enumerate(documents, start=1):
        PurchaseOrder.objects.filter(pk=purchase_order.pk).update(
            lines_total=Decimal(1000 * n), line_count=10 * n
        )
        APInvoice.objects.filter(pk=invoice.pk).update(lines_total=Decimal(2000 * n))
        Receipt.objects.filter(pk=receipt.pk).update(line_count=n, total_quantity=Decimal(5 * n))
    return documents


def rows(client, user, url_name, **params):
    client.force_login(user)
    return client.get(reverse(url_name), params).context["rows"]


def test_the_po_list_shows_and_sorts_by_the_stored_totals(client, world, listed):
    shown = rows(client, world.users["buyer"], "procurement:po_list", sort="total")
    assert [(row["line_count"], row["total"]) for row in shown] == [
        (10, "1,000.00 USD"),
        (20, "2,000.00 USD"),
    ]


def test_the_ap_invoice_list_shows_and_sorts_by_the_stored_total(client, world, listed):
    shown = rows(client, world.users["ap"], "invoicing:ap_list", sort="-total")
    assert [row["total"] for row in shown] == ["4,000.00 USD", "2,000.00 USD"]


def test_the_receipt_list_shows_and_sorts_by_the_stored_totals(client, world, listed):
    shown = rows(client, world.users["receiver"], "receiving:receipt_list", sort="quantity")
    assert [(row["line_count"], row["quantity"]) for row in shown] == [(1, "5"), (2, "10")]
