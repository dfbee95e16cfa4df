"""The list machinery every workbench shares (b2b_portal.lists), and the page message of
a service action whose document ends On Hold (ServiceActionView.success_level)."""

from decimal import Decimal

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from b2b_portal.numbers import LARGEST_NUMBER, document_number
from invoicing.models import APStatus, HoldReason
from invoicing.services import APLineInput, ap_invoice_create
from tests.helpers import receive


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("PO-000123", 123),
        ("po123", 123),
        (" 123 ", 123),
        ("PO-0", 0),
        (str(LARGEST_NUMBER), LARGEST_NUMBER),
        (str(LARGEST_NUMBER + 1), None),
        ("SO-123", None),
        ("PO-12a", None),
        ("PO--12", None),
        ("١٢٣", None),  # digits of another script are not a document number
        ("", None),
    ],
)
def test_a_document_number_is_read_as_users_type_it(text, number):
    assert document_number(text, "PO") == number


@pytest.mark.django_db
def test_validate_ending_on_hold_is_a_warning_and_ending_validated_a_success(
    client, world, drive_to_po
):
    def validated(quantity_received, quantity_billed):
        _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
        receive(world, po_line, quantity_received)
        invoice = ap_invoice_create(
            actor=world.users["ap"],
            purchase_order=po_line.purchase_order,
            supplier_invoice_number=f"INV-{po_line.pk}",
            invoice_date=timezone.localdate(),
            lines=[APLineInput(purchase_order_line=po_line, quantity=Decimal(quantity_billed))],
        )
        response = client.post(reverse("invoicing:ap_validate", args=[invoice.pk]))
        invoice.refresh_from_db()
        *_, message = get_messages(response.wsgi_request)  # the last one: this action's
        return invoice, message

    client.force_login(world.users["ap"])
    held, message = validated("1", "2")
    assert held.status == APStatus.ON_HOLD
    assert (message.level, message.message) == (messages.WARNING, f"{held} is On Hold.")
    [hold] = held.holds.all()
    assert hold.reason == HoldReason.QUANTITY_BILLED_OVER_RECEIVED
    assert not hold.can_be_released_by_hand()

    matched, message = validated("2", "2")
    assert matched.status == APStatus.VALIDATED
    assert (message.level, message.message) == (messages.SUCCESS, f"{matched} is Validated.")
