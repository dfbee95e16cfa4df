"""Payables: an invoice is entered against a PO, then validated (``ap_matching``): a
quantity billed over received or a unit price over the PO price beyond the supplier's
tolerance places a hold. Only a validated invoice counts as billed and can be paid."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from b2b_portal.bulk_writes import bulk_create_with_history
from b2b_portal.errors import TransitionRefused, ValidationRefused, require_reason
from b2b_portal.integrity import refused_on_conflict
from b2b_portal.permissions import require_permission
from b2b_portal.transitions import apply_transition, stamp_history
from catalog.units import require_business_unit
from orders.services import validate_price, validate_quantity
from processes.batching import ProcessResult, filter_by, process_in_chunks
from procurement.locks import purchase_orders_for_update
from procurement.models import POLineStatus, POStatus, PurchaseOrder, PurchaseOrderLine

from ..exceptions import DUPLICATE_SUPPLIER_INVOICE, DuplicateSupplierInvoice
from ..locks import ap_invoice_holds_for_update, ap_invoices_for_update
from ..models import APInvoice, APInvoiceHold, APInvoiceLine, APStatus
from ..tax import tax_rates
from ..totals import ap_invoices_retotal
from .ap_matching import match_invoices

SUPPLIER_NUMBER_LENGTH = APInvoice._meta.get_field("supplier_invoice_number").max_length
INVOICEABLE_PO_STATUSES = [POStatus.OPEN, POStatus.CLOSED_FOR_RECEIVING, POStatus.CLOSED]


@dataclass(frozen=True)
class APLineInput:
    purchase_order_line: PurchaseOrderLine
    quantity: Decimal
    unit_price: Decimal | None = None


def _supplier_invoice_number(number: str) -> str:
    number = number.strip()
    if not number or len(number) > SUPPLIER_NUMBER_LENGTH:
        raise ValidationRefused(
            f"Enter the supplier's invoice number ({SUPPLIER_NUMBER_LENGTH} characters at most)."
        )
    return number


def _invoice_line(invoice: APInvoice, line: APLineInput, *, live_po_lines: dict, rates: dict):
    """One invoice line on a live line of the invoice's PO, at the PO price by default,
    taxed at the rate in force today (not saved: the caller inserts them all at once)."""
    po_line = live_po_lines.get(line.purchase_order_line.pk)
    if po_line is None:
        raise ValidationRefused(
            f"{line.purchase_order_line} is not a live line of {invoice.purchase_order}."
        )
    unit_price = validate_price(po_line.unit_price if line.unit_price is None else line.unit_price)
    return APInvoiceLine(
        invoice=invoice,
        purchase_order_line=po_line,
        quantity=validate_quantity(line.quantity, what=f"Billed quantity on {po_line}"),
        unit_price=unit_price,
        tax_rate=rates[invoice.business_unit_id, po_line.item_id],
    )


@transaction.atomic
def ap_invoice_create(
    *,
    actor,
    purchase_order: PurchaseOrder,
    supplier_invoice_number: str,
    invoice_date: date,
    lines: list[APLineInput],
) -> APInvoice:
    """Enter the supplier's invoice, matched to lines of one approved PO (price defaults
    to the PO price). Matching against receipts happens at validation."""
    require_permission(actor, "invoicing.add_apinvoice", "enter AP invoices")
    require_business_unit(actor, purchase_order.business_unit_id)
    # The PO's status and its lines' are read locked: a cancellation cannot slip in
    # between the check and the invoice. Its unit and supplier are read with it (not locked).
    purchase_order = (
        purchase_orders_for_update()
        .select_related("business_unit", "supplier")
        .get(pk=purchase_order.pk)
    )
    if purchase_order.status not in INVOICEABLE_PO_STATUSES:
        raise TransitionRefused(
            f"{purchase_order} is {purchase_order.get_status_display()}: only an approved PO "
            "can be invoiced."
        )
    number = _supplier_invoice_number(supplier_invoice_number)
    duplicate = DuplicateSupplierInvoice(
        DUPLICATE_SUPPLIER_INVOICE.format(number=number, supplier=purchase_order.supplier)
    )
    entered = APInvoice.objects.filter(
        supplier=purchase_order.supplier_id, supplier_invoice_number=number
    ).exclude(status=APStatus.CANCELLED)
    if entered.exists():
        raise duplicate
    if not lines:
        raise ValidationRefused("An invoice needs at least one line.")
    invoice = APInvoice(
        business_unit=purchase_order.business_unit,
        supplier=purchase_order.supplier,
        purchase_order=purchase_order,
        supplier_invoice_number=number,
        invoice_date=invoice_date,
        payment_terms_days=purchase_order.supplier.payment_terms_days,
        currency_code=purchase_order.currency_code,
        created_by=actor,
    )
    stamp_history(invoice, actor=actor, reason="entered")
    # Two clerks may enter the same invoice at once (on two POs of the supplier): the
    # unique constraint decides, and the later one is told so.
    with refused_on_conflict({"ap_supplier_invoice_number_unique": duplicate}):
        invoice.save()
    live_po_lines = {
        po_line.pk: po_line
        for po_line in purchase_order.lines.exclude(status=POLineStatus.CANCELLED)
    }
    rates = tax_rates(
        (purchase_order.business_unit_id, po_line.item_id) for po_line in live_po_lines.values()
    )
    invoice_lines = [
        _invoice_line(invoice, line, live_po_lines=live_po_lines, rates=rates) for line in lines
    ]
    bulk_create_with_history(
        invoice_lines, APInvoiceLine, default_user=actor, default_change_reason="entered"
    )
    ap_invoices_retotal([invoice.pk])
    return invoice


@transaction.atomic
def ap_invoice_validate(*, actor, invoice: APInvoice) -> APInvoice:
    """Match one invoice to its PO and receipts (see ``ap_matching.match_invoices``)."""
    require_permission(actor, "invoicing.validate_apinvoice", "validate AP invoices")
    require_business_unit(actor, invoice.business_unit_id)
    # Validation run twice at once (two clerks, or a clerk and the batch) places holds once.
    invoice = ap_invoices_for_update().select_related("supplier").get(pk=invoice.pk)
    if invoice.status not in (APStatus.DRAFT, APStatus.ON_HOLD):
        raise TransitionRefused(
            f"{invoice} is {invoice.get_status_display()}: nothing to validate."
        )
    match_invoices([invoice], actor=actor)
    return invoice


def ap_invoices_validate(
    *,
    actor,
    business_unit=None,
    supplier=None,
    date_from=None,
    date_to=None,
    batch_size: int = 500,
    progress=None,
) -> ProcessResult:
    """Validate AP Invoices: match every draft or held invoice, in chunks."""
    invoices = APInvoice.objects.filter(
        status__in=[APStatus.DRAFT, APStatus.ON_HOLD]
    ).select_related("supplier")
    invoices = filter_by(
        invoices,
        business_unit=business_unit,
        supplier=supplier,
        invoice_date__gte=date_from,
        invoice_date__lte=date_to,
    )

    def handle(chunk: list[APInvoice]) -> ProcessResult:
        validated = match_invoices(chunk, actor=actor)
        return ProcessResult(examined=len(chunk), created=validated)

    return process_in_chunks(invoices, handle, batch_size=batch_size, progress=progress)


def _release(hold: APInvoiceHold, *, actor, when, reason: str) -> None:
    hold.released_at = when
    hold.released_by = actor
    hold.release_reason = reason
    hold.released_by_validation = False
    stamp_history(hold, actor=actor, reason=f"released: {reason}")
    hold.save()


@transaction.atomic
def ap_invoice_hold_release(*, actor, hold: APInvoiceHold, reason: str) -> APInvoiceHold:
    """Release a hold by hand, saying why; the invoice is then matched again. A quantity
    hold cannot be waived: it clears by validation once the goods are received."""
    require_permission(actor, "invoicing.release_hold", "release AP invoice holds")
    require_business_unit(actor, hold.invoice.business_unit_id)
    reason = require_reason(reason, "the hold is released")
    # The invoice first, as validation locks it: a release and a validation take turns.
    invoice = ap_invoices_for_update().select_related("supplier").get(pk=hold.invoice_id)
    hold = ap_invoice_holds_for_update().get(pk=hold.pk)
    if hold.released_at is not None:
        raise TransitionRefused(f"This hold was already released by {hold.released_by}.")
    if not hold.can_be_released_by_hand():
        raise ValidationRefused(
            "A quantity hold cannot be released by hand: receive the goods, then validate "
            "the invoice again."
        )
    _release(hold, actor=actor, when=timezone.now(), reason=reason)
    if not invoice.has_open_holds():
        match_invoices([invoice], actor=actor)
    return hold


@transaction.atomic
def ap_invoice_pay(*, actor, invoice: APInvoice) -> APInvoice:
    """Record payment of a validated invoice; a held invoice cannot be paid."""
    require_permission(actor, "invoicing.pay_apinvoice", "pay AP invoices")
    require_business_unit(actor, invoice.business_unit_id)
    # Paid once: a second payment of the same invoice waits, then finds it Paid.
    invoice = ap_invoices_for_update().get(pk=invoice.pk)
    apply_transition(
        invoice,
        "pay",
        actor=actor,
        reason="paid",
        when=timezone.now(),
        refusal=f"{invoice} is {invoice.get_status_display()}: only a validated invoice "
        "can be paid.",
    )
    invoice.save()
    return invoice
