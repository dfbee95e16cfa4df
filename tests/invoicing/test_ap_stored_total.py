"""An AP invoice's stored total (``lines_total``) equals its lines' amounts, each rounded
to the cent, after every service that writes AP invoice lines: entry (by AP, by the
supplier in the portal, through the admin and the API), a line adjusted, a quantity hold
adjusted to what was received. Validation, payment and cancellation leave it as it is."""

from decimal import Decimal

import pytest
from django.utils import timezone

from invoicing.models import APInvoice
from invoicing.services import (
    APLineInput,
    ap_invoice_adjust_to_received,
    ap_invoice_cancel,
    ap_invoice_create,
    ap_invoice_line_adjust,
    ap_invoice_pay,
    ap_invoice_validate,
)
from suppliers.services import supplier_invoice_create
from tests.admin.support import admin_url
from tests.api.conftest import token_client
from tests.helpers import enter_ap_invoice, receive
from tests.stored_totals import ap_invoice_total

pytestmark = pytest.mark.django_db


@pytest.fixture
def po_lines(drive_to_po):
    _, lines = drive_to_po(("SRV-DL380-G11", "2"), ("SRV-DL380-G11", "3"))
    return lines


def test_entry_stores_the_sum_of_the_rounded_line_amounts(world, po_lines):
    first, second = po_lines
    invoice = ap_invoice_create(
        actor=world.users["ap"],
        purchase_order=first.purchase_order,
        supplier_invoice_number="NW-1",
        invoice_date=timezone.localdate(),
        lines=[
            # 1.333 x 1,234.57 = 1,645.68181: a cent's rounding of its own.
            APLineInput(first, Decimal("1.333"), Decimal("1234.57")),
            APLineInput(second, Decimal("3"), None),
        ],
    )
    assert ap_invoice_total(invoice) == Decimal("1645.68") + 3 * second.unit_price


def test_an_adjusted_line_retotals_its_invoice(world, po_lines):
    first, _ = po_lines
    receive(world, first, "1")
    invoice = enter_ap_invoice(world, first, "2")
    line = invoice.lines.get()

    # Validated again after it: on hold, 2 billed for 1 received.
    ap_invoice_line_adjust(
        actor=world.users["ap"], line=line, reason="supplier's figure", unit_price=Decimal("100.01")
    )
    assert ap_invoice_total(invoice) == Decimal("200.02")

    ap_invoice_line_adjust(
        actor=world.users["ap"], line=line, reason="one came", quantity=Decimal("1")
    )
    assert ap_invoice_total(invoice) == Decimal("100.01")


def test_a_quantity_hold_adjusted_to_what_was_received(world, po_lines):
    first, _ = po_lines
    receive(world, first, "1")
    invoice = ap_invoice_validate(
        actor=world.users["ap"], invoice=enter_ap_invoice(world, first, "2")
    )
    [hold] = invoice.holds.all()

    ap_invoice_adjust_to_received(actor=world.users["ap"], hold=hold, reason="one never came")

    assert ap_invoice_total(invoice) == first.unit_price


def test_validation_payment_and_cancellation_keep_the_total(world, po_lines):
    first, second = po_lines
    receive(world, first, "2")
    paid = enter_ap_invoice(world, first, "2")
    cancelled = enter_ap_invoice(world, second, "3", number="INV-2")

    ap_invoice_validate(actor=world.users["ap"], invoice=paid)
    ap_invoice_pay(actor=world.users["ap"], invoice=paid)
    ap_invoice_cancel(actor=world.users["ap"], invoice=cancelled, reason="entered twice")

    assert ap_invoice_total(paid) == first.amount
    assert ap_invoice_total(cancelled) == second.amount


def test_the_suppliers_own_invoice(world, po_lines):
    first, _ = po_lines
    entry = supplier_invoice_create(
        actor=world.users["supplier"],
        purchase_order=first.purchase_order,
        supplier_invoice_number="NW-77",
        invoice_date=timezone.localdate(),
        lines=[APLineInput(purchase_order_line=first, quantity=Decimal("1"))],
    )
    assert ap_invoice_total(entry.ap_invoice) == first.unit_price


def test_entry_through_the_admin(client, world, po_lines, roles_with_the_admin):
    first, _ = po_lines
    client.force_login(world.users["ap"])
    response = client.post(
        admin_url(APInvoice, "add"),
        {
            "purchase_order": first.purchase_order_id,
            "supplier_invoice_number": "NW-2001",
            "invoice_date": timezone.localdate().isoformat(),
            "lines-TOTAL_FORMS": 1,
            "lines-INITIAL_FORMS": 0,
            "lines-MIN_NUM_FORMS": 0,
            "lines-MAX_NUM_FORMS": 1000,
            "lines-0-purchase_order_line": first.pk,
            "lines-0-quantity": "2",
            "lines-0-unit_price": "10.50",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    invoice = APInvoice.objects.get(supplier_invoice_number="NW-2001")
    assert ap_invoice_total(invoice) == Decimal("21.00")


def test_entry_through_the_api(world, po_lines):
    first, second = po_lines
    response = token_client(world.users["ap"]).post(
        "/api/ap-invoices/",
        {
            "purchase_order": first.purchase_order.number,
            "supplier_invoice_number": "NW-API",
            "invoice_date": timezone.localdate().isoformat(),
            "lines": [
                {"purchase_order_line": first.pk, "quantity": "2"},
                {"purchase_order_line": second.pk, "quantity": "1"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    invoice = APInvoice.objects.get(supplier_invoice_number="NW-API")
    assert ap_invoice_total(invoice) == first.amount + second.unit_price
