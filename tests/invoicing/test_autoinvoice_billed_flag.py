"""``ShipmentLine.is_billed`` follows the live first billing of the line: AutoInvoice sets
it, cancelling the draft clears it, a re-invoice of a credited quantity leaves it. It only
narrows what AutoInvoice walks: the invoice lines still decide what is billed."""

from decimal import Decimal

import pytest

from invoicing.models import ARInvoice, ARInvoiceLine, CreditDisposition
from invoicing.services import (
    CreditLineInput,
    ar_credit_memo_create,
    ar_invoice_cancel,
    autoinvoice_import,
)
from shipping.models import ShipmentLine
from tests.invoicing.support import complete_ar_invoice, draft_ar_invoice

pytestmark = pytest.mark.django_db


def is_billed(invoice: ARInvoice) -> bool:
    return ShipmentLine.objects.get(ar_invoice_lines__invoice=invoice).is_billed


def test_billed_by_autoinvoice_unbilled_by_cancel_billed_again(world, drive_to_po):
    draft = draft_ar_invoice(world, drive_to_po)
    assert is_billed(draft)

    ar_invoice_cancel(actor=world.users["ar"], invoice=draft, reason="wrong customer PO")
    assert not is_billed(draft)

    runs = [autoinvoice_import(actor=world.users["ar"]) for _ in range(2)]
    assert [(run.examined, run.created) for run in runs] == [(1, 1), (0, 0)]
    again = ARInvoice.objects.exclude(pk=draft.pk).get()
    assert is_billed(again)
    assert again.lines.get().shipment_line == draft.lines.get().shipment_line


def test_a_reinvoice_and_its_cancel_leave_the_first_billing_billed(world, drive_to_po):
    invoice = complete_ar_invoice(world, drive_to_po)
    ar_credit_memo_create(
        actor=world.users["ar"],
        invoice=invoice,
        reason="one unit billed early",
        lines=[
            CreditLineInput(
                invoice_line=invoice.lines.get(),
                quantity=Decimal("1"),
                disposition=CreditDisposition.REINVOICE,
            )
        ],
    )
    assert autoinvoice_import(actor=world.users["ar"]).created == 1
    reinvoice = ARInvoice.objects.exclude(pk=invoice.pk).get()
    assert is_billed(invoice)

    ar_invoice_cancel(actor=world.users["ar"], invoice=reinvoice, reason="sent too soon")
    assert is_billed(invoice)
    # The credited unit is billed again; the shipment line is not billed a second time.
    result = autoinvoice_import(actor=world.users["ar"])
    assert (result.examined, result.created) == (1, 1)
    live = ARInvoiceLine.objects.filter(is_cancelled=False).order_by("pk")
    assert [(line.quantity, line.reinvoice_of_id is None) for line in live] == [
        (Decimal("2"), True),
        (Decimal("1"), False),
    ]


def test_a_line_flagged_unbilled_that_is_billed_is_not_billed_twice(world, drive_to_po):
    draft = draft_ar_invoice(world, drive_to_po)
    ShipmentLine.objects.update(is_billed=False)  # a stale copy: the invoice line decides

    result = autoinvoice_import(actor=world.users["ar"])

    assert (result.examined, result.created, result.failures) == (0, 0, [])
    assert ARInvoiceLine.objects.get().invoice == draft
