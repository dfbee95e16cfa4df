"""Receivables corrections: cancel a draft AR invoice (its lines are billed again by the
next Import AutoInvoice), credit a Complete invoice with a credit memo (per line, a
quantity and/or an amount, and what becomes of a credited quantity)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from b2b_portal.bulk_writes import bulk_create_with_history, bulk_save_with_history, history_reason
from b2b_portal.errors import TransitionRefused, ValidationRefused, require_reason
from b2b_portal.fields import round_money
from b2b_portal.permissions import require_permission
from b2b_portal.transitions import apply_transition, stamp_history
from catalog.units import require_business_unit
from orders.locks import sales_order_lines_for_update
from shipping.locks import shipment_lines_for_update

from ..locks import ar_invoices_for_update
from ..models import (
    ARCreditMemo,
    ARCreditMemoLine,
    ARInvoice,
    ARInvoiceLine,
    ARStatus,
    CreditDisposition,
)
from .receivables import set_billed

ONLY_DRAFT_CANCELS = (
    "{invoice} is {status}: only a draft invoice can be cancelled; credit it instead."
)
ONLY_COMPLETE_CREDITS = "{invoice} is {status}: only a complete invoice can be credited."
CREDIT_OVER_INVOICED = (
    "{line}: {credited} of {invoiced} is already credited; at most {left} more can be credited."
)
CREDIT_AMOUNT_OVER = "{line}: at most {left} of its amount is left to credit."
REINVOICE_NEEDS_QUANTITY = "{line}: say which quantity to invoice again, or close the line."
NOTHING_TO_CREDIT = "Enter a quantity or an amount to credit on at least one line."


@dataclass(frozen=True)
class CreditLineInput:
    invoice_line: ARInvoiceLine
    quantity: Decimal = Decimal(0)
    amount: Decimal | None = None
    disposition: str = CreditDisposition.CLOSE


def _reopen_billing(quantities: dict, *, actor, reason: str) -> None:
    """Lower the invoiced quantity of each SO line (pk -> quantity); a line with shipped
    units left to bill goes back to Shipped, for the next Import AutoInvoice."""
    # The AR invoice is held; its SO lines follow it (docs/architecture.md, "Locking order").
    sales_lines = list(sales_order_lines_for_update().filter(pk__in=quantities))
    now = timezone.now()
    for line in sales_lines:
        line.invoiced_quantity -= quantities[line.pk]
        line.updated_at = now
        apply_transition(line, "reopen_billing", actor=actor, reason=reason)
    bulk_save_with_history(
        sales_lines, ["status", "invoiced_quantity", "updated_at"], actor=actor, reason=reason
    )


@transaction.atomic
def ar_invoice_cancel(*, actor, invoice: ARInvoice, reason: str) -> ARInvoice:
    """Cancel a draft invoice the customer never got: its shipped lines are billable
    again and the next Import AutoInvoice bills them once."""
    require_permission(actor, "invoicing.change_arinvoice", "cancel AR invoices")
    require_business_unit(actor, invoice.business_unit_id)
    reason = require_reason(reason, "the invoice is cancelled")
    # A completion and a cancellation of the same draft take turns on the invoice.
    invoice = ar_invoices_for_update().get(pk=invoice.pk)
    refusal = ONLY_DRAFT_CANCELS.format(invoice=invoice, status=invoice.get_status_display())
    why = f"{invoice} cancelled: {reason}"
    apply_transition(
        invoice, "cancel", actor=actor, reason=why, refusal=refusal, reason_text=reason
    )
    invoice.save()
    lines = list(invoice.lines.filter(is_cancelled=False))
    quantities = {}
    for line in lines:
        line.is_cancelled = True
        quantities[line.sales_order_line_id] = (
            quantities.get(line.sales_order_line_id, 0) + line.quantity
        )
    bulk_save_with_history(lines, ["is_cancelled"], actor=actor, reason=why)
    # The lines these billed first are AutoInvoice's again; locked in pk order, as a
    # reversal takes them, before the sales order lines.
    first_billed = [line.shipment_line_id for line in lines if not line.reinvoice_of_id]
    locked = shipment_lines_for_update().filter(pk__in=first_billed).values_list("pk", flat=True)
    set_billed(list(locked), billed=False)
    _reopen_billing(quantities, actor=actor, reason=why)
    return invoice


def _credited(invoice_lines) -> dict[int, tuple[Decimal, Decimal]]:
    """(quantity, amount) already credited on each invoice line, by pk, in one query."""
    totals = {
        row["invoice_line_id"]: (row["quantity"], row["amount"])
        for row in ARCreditMemoLine.objects.filter(invoice_line__in=invoice_lines)
        .values("invoice_line_id")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"))
        .order_by()
    }
    return {line.pk: totals.get(line.pk, (Decimal(0), Decimal(0))) for line in invoice_lines}


def _credit_line(memo: ARCreditMemo, given: CreditLineInput, credited: dict):
    """One memo line within what the invoice line has left to credit (None: nothing given),
    not saved; ``credited`` counts it, for a second input on the same line."""
    line = given.invoice_line
    quantity = given.quantity or Decimal(0)
    if quantity < 0 or (given.amount is not None and given.amount < 0):
        raise ValidationRefused(f"{line}: a credit cannot be negative.")
    if given.disposition == CreditDisposition.REINVOICE and quantity <= 0:
        raise ValidationRefused(REINVOICE_NEEDS_QUANTITY.format(line=line))
    amount = round_money(quantity * line.unit_price) if given.amount is None else given.amount
    if amount <= 0:
        return None
    credited_quantity, credited_amount = credited[line.pk]
    if credited_quantity + quantity > line.quantity:
        left = line.quantity - credited_quantity
        raise ValidationRefused(
            CREDIT_OVER_INVOICED.format(
                line=line, credited=credited_quantity, invoiced=line.quantity, left=left
            )
        )
    if credited_amount + amount > line.amount:
        raise ValidationRefused(
            CREDIT_AMOUNT_OVER.format(line=line, left=line.amount - credited_amount)
        )
    credited[line.pk] = (credited_quantity + quantity, credited_amount + amount)
    return ARCreditMemoLine(
        memo=memo,
        invoice_line=line,
        quantity=quantity,
        amount=amount,
        disposition=given.disposition,
    )


@transaction.atomic
def ar_credit_memo_create(
    *, actor, invoice: ARInvoice, lines: list[CreditLineInput], reason: str
) -> ARCreditMemo:
    """Credit a complete invoice: each memo line credits a quantity (at the invoice price)
    or an amount; a credited quantity is billed again or its SO line stays closed."""
    require_permission(actor, "invoicing.change_arinvoice", "credit AR invoices")
    require_business_unit(actor, invoice.business_unit_id)
    reason = require_reason(reason, "the invoice is credited")
    # Two credits of one invoice take turns: the second reads what the first credited.
    invoice = ar_invoices_for_update().get(pk=invoice.pk)
    if invoice.status != ARStatus.COMPLETE:
        raise TransitionRefused(
            ONLY_COMPLETE_CREDITS.format(invoice=invoice, status=invoice.get_status_display())
        )
    if any(given.invoice_line.invoice_id != invoice.pk for given in lines):
        raise ValidationRefused(f"Credit only lines of {invoice}.")
    memo = ARCreditMemo(
        business_unit_id=invoice.business_unit_id,
        invoice=invoice,
        customer_id=invoice.customer_id,
        memo_date=timezone.localdate(),
        currency_code=invoice.currency_code,
        reason=reason,
        created_by=actor,
    )
    stamp_history(memo, actor=actor, reason=f"credits {invoice}: {reason}")
    memo.save()
    credited = _credited([given.invoice_line for given in lines])
    memo_lines = [_credit_line(memo, given, credited) for given in lines]
    memo_lines = [line for line in memo_lines if line is not None]
    if not memo_lines:
        raise ValidationRefused(NOTHING_TO_CREDIT)
    bulk_create_with_history(
        memo_lines,
        ARCreditMemoLine,
        default_user=actor,
        default_change_reason=history_reason(memo.reason),
    )
    to_bill_again = {}
    for memo_line in memo_lines:
        if memo_line.disposition == CreditDisposition.REINVOICE:
            so_line_id = memo_line.invoice_line.sales_order_line_id
            to_bill_again[so_line_id] = to_bill_again.get(so_line_id, 0) + memo_line.quantity
    _reopen_billing(to_bill_again, actor=actor, reason=f"{memo} credits {invoice}: {reason}")
    return memo


def whole_invoice_credit(invoice: ARInvoice, disposition: str) -> list[CreditLineInput]:
    """Credit every live line of the invoice for what it has left to credit."""
    inputs = []
    lines = list(invoice.lines.filter(is_cancelled=False))
    credited = _credited(lines)
    for line in lines:
        credited_quantity, credited_amount = credited[line.pk]
        quantity = line.quantity - credited_quantity
        if line.amount - credited_amount > 0:
            inputs.append(
                CreditLineInput(
                    invoice_line=line,
                    quantity=quantity,
                    amount=line.amount - credited_amount,
                    disposition=disposition if quantity > 0 else CreditDisposition.CLOSE,
                )
            )
    return inputs
