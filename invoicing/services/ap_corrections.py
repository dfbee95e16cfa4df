"""Payables corrections: cancel a Draft or On Hold invoice, adjust a line's quantity or
price (or a held line to what was received) and match again, and the debit memo that
claims money back from a supplier. Every open hold has one of these to resolve it."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from b2b_portal.bulk_writes import bulk_save_with_history
from b2b_portal.errors import TransitionRefused, ValidationRefused, require_reason
from b2b_portal.permissions import require_permission
from b2b_portal.transitions import apply_transition, stamp_history
from catalog.models import Supplier
from catalog.units import require_business_unit
from orders.services import validate_price, validate_quantity
from procurement.locks import purchase_order_lines_for_update, purchase_orders_for_update
from procurement.models import PurchaseOrder

from ..locks import ap_invoice_holds_for_update, ap_invoices_for_update
from ..models import APDebitMemo, APInvoice, APInvoiceHold, APInvoiceLine, APStatus, HoldReason
from ..totals import ap_invoices_retotal
from .ap_matching import match_invoices

ONLY_OPEN_INVOICE_CHANGES = (
    "{invoice} is {status}: only a Draft or On Hold invoice can be cancelled or adjusted."
)
NOTHING_RECEIVED_TO_BILL = (
    "Nothing received on {po_line} is left to bill: cancel the invoice instead."
)
NOT_A_QUANTITY_HOLD = "Only a quantity hold is adjusted to what was received."


def _open_invoice(invoice_pk: int) -> APInvoice:
    """The invoice, locked (validation takes it first too), while it can still change."""
    invoice = ap_invoices_for_update().select_related("supplier").get(pk=invoice_pk)
    if invoice.status not in (APStatus.DRAFT, APStatus.ON_HOLD):
        raise TransitionRefused(
            ONLY_OPEN_INVOICE_CHANGES.format(invoice=invoice, status=invoice.get_status_display())
        )
    return invoice


@transaction.atomic
def ap_invoice_cancel(*, actor, invoice: APInvoice, reason: str) -> APInvoice:
    """Cancel an invoice entered wrong or not owed; its open holds are released with it
    and its supplier invoice number may be entered again."""
    require_permission(actor, "invoicing.change_apinvoice", "cancel AP invoices")
    require_business_unit(actor, invoice.business_unit_id)
    reason = require_reason(reason, "the invoice is cancelled")
    invoice = _open_invoice(invoice.pk)
    why = f"cancelled: {reason}"
    apply_transition(invoice, "cancel", actor=actor, reason=why, reason_text=reason)
    invoice.save()
    now = timezone.now()
    release_reason = f"invoice cancelled: {reason}"[:240]
    holds = list(ap_invoice_holds_for_update().filter(invoice=invoice, released_at__isnull=True))
    for hold in holds:
        hold.released_at, hold.released_by, hold.release_reason = now, actor, release_reason
        hold.updated_at = now
    bulk_save_with_history(
        holds,
        ["released_at", "released_by", "release_reason", "updated_at"],
        actor=actor,
        reason=release_reason,
    )
    return invoice


def _set_line(line: APInvoiceLine, *, quantity, unit_price, actor, reason: str) -> None:
    before = f"{line.quantity} x {line.unit_price}"
    if quantity is not None:
        line.quantity = validate_quantity(quantity, what=f"Billed quantity on {line}")
    if unit_price is not None:
        line.unit_price = validate_price(unit_price)
    stamp_history(line, actor=actor, reason=f"adjusted from {before}: {reason}")
    line.save()
    ap_invoices_retotal([line.invoice_id])


@transaction.atomic
def ap_invoice_line_adjust(
    *,
    actor,
    line: APInvoiceLine,
    reason: str,
    quantity: Decimal | None = None,
    unit_price: Decimal | None = None,
) -> APInvoice:
    """Correct a line's quantity or price as the supplier billed it, then match the
    invoice again (holds whose cause is gone are released by validation)."""
    require_permission(actor, "invoicing.change_apinvoice", "adjust AP invoices")
    require_business_unit(actor, line.invoice.business_unit_id)
    reason = require_reason(reason, "the line is adjusted")
    if quantity is None and unit_price is None:
        raise ValidationRefused("Enter the new quantity or unit price.")
    invoice = _open_invoice(line.invoice_id)
    line = invoice.lines.get(pk=line.pk)
    _set_line(line, quantity=quantity, unit_price=unit_price, actor=actor, reason=reason)
    match_invoices([invoice], actor=actor)
    return invoice


@transaction.atomic
def ap_invoice_adjust_to_received(*, actor, hold: APInvoiceHold, reason: str) -> APInvoice:
    """Resolve a quantity hold by billing what was received and not yet billed on the
    line's PO line (the rest will never arrive: the PO line is closed short or cancelled)."""
    require_permission(actor, "invoicing.change_apinvoice", "adjust AP invoices")
    require_business_unit(actor, hold.invoice.business_unit_id)
    reason = require_reason(reason, "the line is adjusted to what was received")
    if hold.reason != HoldReason.QUANTITY_BILLED_OVER_RECEIVED or hold.invoice_line_id is None:
        raise ValidationRefused(NOT_A_QUANTITY_HOLD)
    invoice = _open_invoice(hold.invoice_id)
    # The order validation takes: invoice, PO, PO lines; a receipt waits for the count.
    purchase_orders_for_update().filter(pk=invoice.purchase_order_id).first()
    line = invoice.lines.get(pk=hold.invoice_line_id)
    po_line = purchase_order_lines_for_update().get(pk=line.purchase_order_line_id)
    others = sum(
        other.quantity
        for other in invoice.lines.filter(purchase_order_line=po_line).exclude(pk=line.pk)
    )
    billable = po_line.received_quantity - po_line.billed_quantity - others
    if billable <= 0:
        raise ValidationRefused(NOTHING_RECEIVED_TO_BILL.format(po_line=po_line))
    _set_line(line, quantity=billable, unit_price=None, actor=actor, reason=reason)
    match_invoices([invoice], actor=actor)
    return invoice


@transaction.atomic
def ap_debit_memo_create(
    *,
    actor,
    supplier: Supplier,
    kind: str,
    amount: Decimal,
    reason: str,
    business_unit,
    purchase_order: PurchaseOrder | None = None,
    memo_date: date | None = None,
) -> APDebitMemo:
    """Claim an amount back from a supplier: goods returned to vendor or a price
    disputed; issued as made, with who and why in its history."""
    require_permission(actor, "invoicing.change_apinvoice", "enter AP debit memos")
    require_business_unit(actor, business_unit.pk)
    reason = require_reason(reason, "the supplier is debited")
    if purchase_order is not None and (
        purchase_order.supplier_id != supplier.pk
        or purchase_order.business_unit_id != business_unit.pk
    ):
        raise ValidationRefused(f"{purchase_order} is not a PO of {supplier} in this unit.")
    if amount is None or amount <= 0:
        raise ValidationRefused("Enter the amount the supplier owes back.")
    memo = APDebitMemo(
        business_unit=business_unit,
        supplier=supplier,
        purchase_order=purchase_order,
        kind=kind,
        memo_date=memo_date or timezone.localdate(),
        currency_code=(purchase_order or business_unit).currency_code,
        amount=validate_price(amount),
        reason=reason,
        created_by=actor,
    )
    memo.full_clean()
    stamp_history(memo, actor=actor, reason=f"debit memo: {reason}")
    memo.save()
    return memo
