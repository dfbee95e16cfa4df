"""Quantities are written with ASCII digits only: Python's Decimal reads any Unicode digit,
so "٣" (Arabic-Indic three) would otherwise be stored as 3. Every quantity form field, on
the pages and in the admin, is ``QuantityFormField``."""

import uuid
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django import forms
from django.urls import reverse

from b2b_portal.fields import (
    MONEY_ASCII_DIGITS_ONLY,
    QUANTITY_ASCII_DIGITS_ONLY,
    MoneyFormField,
    QuantityField,
    QuantityFormField,
)
from invoicing.forms import APInvoiceForm
from orchestration.forms import LineQuantityForm
from orders.admin import SalesOrderLineEntryForm
from orders.forms import OrderLineForm
from orders.models import SalesOrder, SalesOrderLine
from receiving.forms import ReceiveForm
from tests.helpers import snapshot
from tests.web.orders.support import order_post

UNICODE_DIGITS = {
    "Arabic-Indic 3": "\u0663",
    "Arabic-Indic 12.5": "\u0661\u0662.\u0665",
    "Extended Arabic-Indic 7": "\u06f7",
    "Devanagari 4": "\u096a",
    "full-width 2": "\uff12",
    "mixed 1 and Arabic-Indic 0": "1\u0660",
    "superscript 2": "\u00b2",
}


@pytest.mark.parametrize("text", UNICODE_DIGITS.values(), ids=UNICODE_DIGITS.keys())
def test_unicode_digits_are_refused_with_a_clear_message(text):
    with pytest.raises(forms.ValidationError) as refused:
        QuantityFormField().clean(text)
    assert refused.value.messages == [QUANTITY_ASCII_DIGITS_ONLY]


@pytest.mark.parametrize(("text", "quantity"), [("3", "3"), ("12.5", "12.5"), (" 0.125 ", "0.125")])
def test_ascii_quantities_are_read(text, quantity):
    assert QuantityFormField().clean(text) == Decimal(quantity)


def test_every_quantity_form_field_is_the_shared_one():
    po_line = SimpleNamespace(
        pk=7, line_number=1, to_bill=Decimal("1"), unit_price=Decimal("1"), open_quantity=1
    )
    fields = {
        "order line": OrderLineForm.base_fields["quantity"],
        "quantity change": LineQuantityForm.base_fields["quantity"],
        "AP invoice": APInvoiceForm(po_lines=[po_line]).fields["quantity_7"],
        "receipt": ReceiveForm(po_lines=[po_line]).fields["line_7"],
        "admin (model field)": SalesOrderLine._meta.get_field("quantity").formfield(),
    }
    wrong = [name for name, field in fields.items() if not isinstance(field, QuantityFormField)]
    assert not wrong, f"not a QuantityFormField: {wrong}"
    assert isinstance(SalesOrderLine._meta.get_field("quantity"), QuantityField)


@pytest.mark.django_db
def test_an_order_line_in_arabic_indic_digits_is_refused_and_nothing_is_made(client, world):
    client.force_login(world.users["clerk"])
    before = snapshot()
    data = order_post(world, [("SRV-DL380-G11", "\u0663", "")], token=uuid.uuid4().hex)

    response = client.post(reverse("orders:create"), data)

    assert response.status_code == 200
    assert response.context["lines"].forms[0].errors["quantity"] == [QUANTITY_ASCII_DIGITS_ONLY]
    assert QUANTITY_ASCII_DIGITS_ONLY in response.content.decode()
    assert snapshot() == before
    assert SalesOrder.objects.count() == 0


@pytest.mark.parametrize("text", UNICODE_DIGITS.values(), ids=UNICODE_DIGITS.keys())
def test_unicode_digits_in_a_price_are_refused_with_a_clear_message(text):
    with pytest.raises(forms.ValidationError) as refused:
        MoneyFormField().clean(text)
    assert refused.value.messages == [MONEY_ASCII_DIGITS_ONLY]


def test_every_price_form_field_is_the_shared_one():
    po_line = SimpleNamespace(
        pk=7, line_number=1, to_bill=Decimal("1"), unit_price=Decimal("1"), open_quantity=1
    )
    fields = {
        "order line": OrderLineForm.base_fields["unit_selling_price"],
        "AP invoice": APInvoiceForm(po_lines=[po_line]).fields["unit_price_7"],
        "admin order line": SalesOrderLineEntryForm.base_fields["unit_selling_price"],
        "admin (model field)": SalesOrderLine._meta.get_field("unit_selling_price").formfield(),
    }
    wrong = [name for name, field in fields.items() if not isinstance(field, MoneyFormField)]
    assert not wrong, f"not a MoneyFormField: {wrong}"
