"""Entering an AP invoice: the same supplier invoice twice is refused with a message, and a
PO line cancelled since the clerk opened the page is not billed."""

from decimal import Decimal

import pytest
from django.utils import timezone

from b2b_portal.errors import ValidationRefused
from invoicing.exceptions import DUPLICATE_SUPPLIER_INVOICE, DuplicateSupplierInvoice
from invoicing.models import APInvoice
from invoicing.services import APLineInput, ap_invoice_create
from orchestration.models import BusinessException
from orchestration.services import exception_cancel_with_supplier, sales_order_line_cancel
from procurement.models import POLineStatus, PurchaseOrderLine
from tests.helpers import snapshot

pytestmark = pytest.mark.django_db


def enter(world, po_line, *, number="INV-1", purchase_order=None):
    return ap_invoice_create(
        actor=world.users["ap"],
        purchase_order=purchase_order or po_line.purchase_order,
        supplier_invoice_number=number,
        invoice_date=timezone.localdate(),
        lines=[APLineInput(purchase_order_line=po_line, quantity=Decimal("1"))],
    )


def test_the_same_supplier_invoice_on_another_po_is_refused(world, drive_to_po):
    _, [first] = drive_to_po(("SRV-DL380-G11", "1"))
    _, [second] = drive_to_po(("SRV-DL380-G11", "1"))
    enter(world, first, number=" INV-9 ")
    before = snapshot()

    with pytest.raises(DuplicateSupplierInvoice) as refused:
        enter(world, second, number="INV-9")

    supplier = second.purchase_order.supplier
    assert refused.value.message == DUPLICATE_SUPPLIER_INVOICE.format(
        number="INV-9", supplier=supplier
    )
    assert snapshot() == before
    assert APInvoice.objects.get().supplier_invoice_number == "INV-9"


def test_a_po_line_cancelled_since_the_page_was_read_is_refused(world, drive_to_po):
    _, [kept, cancelled] = drive_to_po(("SRV-DL380-G11", "1"), ("SRV-DL380-G11", "1"))
    assert kept.purchase_order_id == cancelled.purchase_order_id
    sales_order_line_cancel(
        actor=world.users["clerk"],
        sales_order_line=cancelled.sales_order_line,
        reason="customer changed their mind",
    )
    exception_cancel_with_supplier(
        actor=world.users["buyer"], exception=BusinessException.objects.get(), reason="agreed"
    )
    assert PurchaseOrderLine.objects.get(pk=cancelled.pk).status == POLineStatus.CANCELLED
    before = snapshot()

    # ``cancelled`` is the clerk's copy, read before the cancellation: still Open.
    with pytest.raises(ValidationRefused) as refused:
        enter(world, cancelled)

    assert refused.value.message == f"{cancelled} is not a live line of {kept.purchase_order}."
    assert snapshot() == before
