"""Payables and Receivables.

AP: an invoice is entered against a PO, then validated: quantity billed over received or
a unit price over the PO price beyond the supplier's tolerance places a hold. Only a
validated invoice counts as billed on the PO line and can be paid.

AR: AutoInvoice turns shipped lines into invoices at the sales order price; completing
the invoice closes the lines.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from b2b_portal.errors import TransitionRefused, ValidationRefused, require_reason
from b2b_portal.permissions import require_business_unit, require_permission
from b2b_portal.transitions import (
    apply_transition,
    bulk_apply_transition,
    bulk_save_with_history,
    stamp_history,
)
from orders.models import SalesOrderLine
from orders.services import validate_price, validate_quantity
from processes.batching import ProcessResult, filter_by, process_in_chunks
from procurement.models import POLineStatus, POStatus, PurchaseOrder, PurchaseOrderLine
from shipping.models import ShipmentLine, ShipmentStatus

from .models import (
    APInvoice,
    APInvoiceHold,
    APInvoiceLine,
    APStatus,
    ARInvoice,
    ARInvoiceLine,
    HoldReason,
)

SUPPLIER_NUMBER_LENGTH = APInvoice._meta.get_field("supplier_invoice_number").max_length
INVOICEABLE_PO_STATUSES = [POStatus.OPEN, POStatus.CLOSED_FOR_RECEIVING, POStatus.CLOSED]


@dataclass(frozen=True)
class APLineInput:
    purchase_order_line: PurchaseOrderLine
    quantity: Decimal
    unit_price: Decimal | None = None


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
    if purchase_order.status not in INVOICEABLE_PO_STATUSES:
        raise TransitionRefused(
            f"{purchase_order} is {purchase_order.get_status_display()}: only an approved PO "
            "can be invoiced."
        )
    supplier_invoice_number = supplier_invoice_number.strip()
    if not supplier_invoice_number or len(supplier_invoice_number) > SUPPLIER_NUMBER_LENGTH:
        raise ValidationRefused(
            f"Enter the supplier's invoice number ({SUPPLIER_NUMBER_LENGTH} characters at most)."
        )
    if (
        APInvoice.objects.filter(
            supplier=purchase_order.supplier, supplier_invoice_number=supplier_invoice_number
        )
        .exclude(status="CANCELLED")
        .exists()
    ):
        raise ValidationRefused(
            f"Invoice {supplier_invoice_number} of {purchase_order.supplier} is already entered."
        )
    if not lines:
        raise ValidationRefused("An invoice needs at least one line.")
    invoice = APInvoice(
        business_unit=purchase_order.business_unit,
        supplier=purchase_order.supplier,
        purchase_order=purchase_order,
        supplier_invoice_number=supplier_invoice_number,
        invoice_date=invoice_date,
        currency_code=purchase_order.currency_code,
        created_by=actor,
    )
    stamp_history(invoice, actor=actor, reason="entered")
    invoice.save()
    for line in lines:
        po_line = line.purchase_order_line
        if (
            po_line.purchase_order_id != purchase_order.pk
            or po_line.status == POLineStatus.CANCELLED
        ):
            raise ValidationRefused(f"{po_line} is not a live line of {purchase_order}.")
        unit_price = po_line.unit_price if line.unit_price is None else line.unit_price
        unit_price = validate_price(unit_price)
        invoice_line = APInvoiceLine(
            invoice=invoice,
            purchase_order_line=po_line,
            quantity=validate_quantity(line.quantity, what=f"Billed quantity on {po_line}"),
            unit_price=unit_price,
        )
        stamp_history(invoice_line, actor=actor, reason="entered")
        invoice_line.save()
    return invoice


def _hold_messages(invoice_line: APInvoiceLine, po_line: PurchaseOrderLine, billable, tolerance):
    """The holds this line deserves now, as (reason, message) pairs; ``billable`` is what
    is received on the PO line and not yet billed by this or another invoice."""
    holds = []
    if invoice_line.quantity > billable:
        holds.append(
            (
                HoldReason.QUANTITY_BILLED_OVER_RECEIVED,
                f"{po_line}: billed {invoice_line.quantity}, but only {billable} received "
                "and not yet billed.",
            )
        )
    ceiling = po_line.unit_price * (1 + tolerance / Decimal(100))
    if invoice_line.unit_price > ceiling:
        holds.append(
            (
                HoldReason.PRICE_OVER_PO,
                f"{po_line}: invoice price {invoice_line.unit_price} exceeds PO price "
                f"{po_line.unit_price} (tolerance {tolerance}%).",
            )
        )
    return holds


@transaction.atomic
def ap_invoice_validate(*, actor, invoice: APInvoice) -> APInvoice:
    """Match one invoice to its PO and receipts (see ``_match_invoices``)."""
    require_permission(actor, "invoicing.validate_apinvoice", "validate AP invoices")
    require_business_unit(actor, invoice.business_unit_id)
    invoice = APInvoice.objects.select_for_update().select_related("supplier").get(pk=invoice.pk)
    if invoice.status not in (APStatus.DRAFT, APStatus.ON_HOLD):
        raise TransitionRefused(
            f"{invoice} is {invoice.get_status_display()}: nothing to validate."
        )
    _match_invoices([invoice], actor=actor)
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
        validated = _match_invoices(chunk, actor=actor)
        return ProcessResult(examined=len(chunk), created=validated)

    return process_in_chunks(invoices, handle, batch_size=batch_size, progress=progress)


class _Matching:
    """The holds and billed quantities of one matching pass over locked invoices."""

    def __init__(self, invoices: list[APInvoice]):
        ids = [invoice.pk for invoice in invoices]
        # Invoices (locked by the caller), then their POs, then PO lines: the cycle's order.
        self.purchase_orders = list(
            PurchaseOrder.objects.select_for_update()
            .filter(pk__in={invoice.purchase_order_id for invoice in invoices})
            .order_by("pk")
        )
        self.lines = defaultdict(list)
        for line in APInvoiceLine.objects.filter(invoice_id__in=ids).order_by("pk"):
            self.lines[line.invoice_id].append(line)
        po_line_ids = {
            line.purchase_order_line_id for lines in self.lines.values() for line in lines
        }
        self.po_lines = {
            line.pk: line
            for line in PurchaseOrderLine.objects.select_for_update()
            .filter(pk__in=po_line_ids)
            .order_by("pk")
        }
        self.billable = {
            pk: line.received_quantity - line.billed_quantity for pk, line in self.po_lines.items()
        }
        self.open_holds = defaultdict(dict)
        self.waived = set()
        for hold in APInvoiceHold.objects.select_for_update().filter(invoice_id__in=ids):
            if hold.released_at is None:
                self.open_holds[hold.invoice_id][(hold.invoice_line_id, hold.reason)] = hold
            elif not hold.released_by_validation:
                self.waived.add((hold.invoice_line_id, hold.reason))

    def holds_due(self, invoice: APInvoice) -> dict:
        """{(line, reason): message} for every hold the invoice deserves now; takes the
        invoice's quantities from what is billable when it passes clean."""
        tolerance = invoice.supplier.price_tolerance_percent
        billable = dict(self.billable)
        due = {}
        for line in self.lines[invoice.pk]:
            po_line = self.po_lines[line.purchase_order_line_id]
            for reason, message in _hold_messages(line, po_line, billable[po_line.pk], tolerance):
                if (line.pk, reason) not in self.waived:
                    due[(line.pk, reason)] = message
            billable[po_line.pk] -= line.quantity
        if not due:
            self.billable = billable
        return due


def _match_invoices(invoices: list[APInvoice], *, actor) -> int:
    """Place the holds each invoice deserves now and release those whose cause has gone
    (the goods arrived since); a hold released by hand is waived and never placed again.
    An invoice with no open hold is Validated and its quantities count as billed on the
    PO lines. Written in bulk; the caller has locked the invoices. Returns how many
    invoices were validated."""
    matching = _Matching(invoices)
    now = timezone.now()
    placed, released, validated, billed = [], [], [], {}
    for invoice in invoices:
        due = matching.holds_due(invoice)
        open_holds = matching.open_holds[invoice.pk]
        for (line_id, reason), message in due.items():
            if (line_id, reason) not in open_holds:
                placed.append(
                    APInvoiceHold(
                        invoice=invoice, invoice_line_id=line_id, reason=reason, message=message
                    )
                )
        for key, hold in open_holds.items():
            if key not in due:
                hold.released_at, hold.released_by = now, actor
                hold.release_reason, hold.released_by_validation = "cause resolved", True
                released.append(hold)
        if due:
            apply_transition(invoice, "place_on_hold", actor=actor, reason="validation: on hold")
            invoice.validated_at = None
        else:
            apply_transition(invoice, "validate", actor=actor, reason="validated", when=now)
            validated.append(invoice)
            for line in matching.lines[invoice.pk]:
                po_line = matching.po_lines[line.purchase_order_line_id]
                po_line.billed_quantity += line.quantity
                po_line.updated_at = now
                billed[po_line.pk] = po_line
        invoice.updated_at = now
    bulk_create_with_history(
        placed, APInvoiceHold, default_user=actor, default_change_reason="placed by validation"
    )
    bulk_save_with_history(
        released,
        ["released_at", "released_by", "release_reason", "released_by_validation"],
        actor=actor,
        reason="released by validation",
    )
    for po_line in billed.values():
        if po_line.status == POLineStatus.CLOSED_FOR_RECEIVING and po_line.is_fully_billed():
            apply_transition(po_line, "close", actor=actor, reason="received and billed")
    bulk_save_with_history(
        list(billed.values()),
        ["billed_quantity", "status", "updated_at"],
        actor=actor,
        reason="billed",
    )
    _close_finished_purchase_orders(matching.purchase_orders, actor=actor)
    bulk_save_with_history(
        invoices, ["status", "validated_at", "updated_at"], actor=actor, reason="validation"
    )
    return len(validated)


def _close_finished_purchase_orders(purchase_orders, *, actor) -> None:
    """A PO whose every live line is received and billed is Closed. The caller holds
    the POs' locks."""
    unfinished = set(
        PurchaseOrderLine.objects.filter(purchase_order__in=purchase_orders)
        .exclude(status__in=[POLineStatus.CLOSED, POLineStatus.CANCELLED])
        .values_list("purchase_order_id", flat=True)
    )
    finished = [
        po
        for po in purchase_orders
        if po.status == POStatus.CLOSED_FOR_RECEIVING and po.pk not in unfinished
    ]
    bulk_apply_transition(finished, "close", actor=actor, reason="received and billed")


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
    invoice = (
        APInvoice.objects.select_for_update().select_related("supplier").get(pk=hold.invoice_id)
    )
    hold = APInvoiceHold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_at is not None:
        raise TransitionRefused(f"This hold was already released by {hold.released_by}.")
    if not hold.can_be_released_by_hand():
        raise ValidationRefused(
            "A quantity hold cannot be released by hand: receive the goods, then validate "
            "the invoice again."
        )
    _release(hold, actor=actor, when=timezone.now(), reason=reason)
    if not invoice.has_open_holds():
        _match_invoices([invoice], actor=actor)
    return hold


@transaction.atomic
def ap_invoice_pay(*, actor, invoice: APInvoice) -> APInvoice:
    """Record payment of a validated invoice; a held invoice cannot be paid."""
    require_permission(actor, "invoicing.pay_apinvoice", "pay AP invoices")
    require_business_unit(actor, invoice.business_unit_id)
    invoice = APInvoice.objects.select_for_update().get(pk=invoice.pk)
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


# --- Receivables ---------------------------------------------------------------------


def autoinvoice_import(
    *,
    actor,
    business_unit=None,
    date_from=None,
    date_to=None,
    batch_size: int = 500,
    progress=None,
) -> ProcessResult:
    """Import AutoInvoice: every shipped, not yet invoiced shipment line becomes an AR
    invoice line at the sales order price; one invoice per sales order and chunk. The
    dates bound the ship date."""
    shipment_lines = ShipmentLine.objects.filter(
        shipment__status=ShipmentStatus.SHIPPED, ar_invoice_line__isnull=True
    ).select_related("sales_order_line__order")
    shipment_lines = filter_by(
        shipment_lines,
        shipment__business_unit=business_unit,
        shipment__shipped_at__date__gte=date_from,
        shipment__shipped_at__date__lte=date_to,
    )

    def handle(chunk: list[ShipmentLine]) -> ProcessResult:
        by_order = defaultdict(list)
        for shipment_line in chunk:
            by_order[shipment_line.sales_order_line.order].append(shipment_line)
        today = timezone.localdate()
        invoices = {
            order.pk: ARInvoice(
                business_unit_id=order.business_unit_id,
                customer_id=order.customer_id,
                sales_order=order,
                invoice_date=today,
                currency_code=order.currency_code,
            )
            for order in by_order
        }
        bulk_create_with_history(
            list(invoices.values()),
            ARInvoice,
            default_user=actor,
            default_change_reason="Import AutoInvoice",
        )
        invoice_lines = [
            ARInvoiceLine(
                invoice=invoices[order.pk],
                shipment_line=shipment_line,
                sales_order_line_id=shipment_line.sales_order_line_id,
                quantity=shipment_line.quantity,
                unit_price=shipment_line.sales_order_line.unit_selling_price,
            )
            for order, shipment_lines_of_order in by_order.items()
            for shipment_line in shipment_lines_of_order
        ]
        bulk_create_with_history(
            invoice_lines,
            ARInvoiceLine,
            default_user=actor,
            default_change_reason="Import AutoInvoice",
        )
        _bill_sales_lines(invoice_lines, actor=actor)
        return ProcessResult(examined=len(chunk), created=len(invoices))

    return process_in_chunks(shipment_lines, handle, batch_size=batch_size, progress=progress)


def _bill_sales_lines(invoice_lines: list[ARInvoiceLine], *, actor) -> None:
    quantities = defaultdict(Decimal)
    for invoice_line in invoice_lines:
        quantities[invoice_line.sales_order_line_id] += invoice_line.quantity
    sales_lines = list(
        SalesOrderLine.objects.select_for_update().filter(pk__in=quantities).order_by("pk")
    )
    now = timezone.now()
    for line in sales_lines:
        line.invoiced_quantity += quantities[line.pk]
        line.updated_at = now
        apply_transition(line, "mark_billed", actor=actor, reason="Import AutoInvoice")
    bulk_save_with_history(
        sales_lines,
        ["status", "invoiced_quantity", "updated_at"],
        actor=actor,
        reason="Import AutoInvoice",
    )


@transaction.atomic
def ar_invoice_complete(*, actor, invoice: ARInvoice) -> ARInvoice:
    """Complete the customer's invoice: its sales order lines are closed."""
    require_permission(actor, "invoicing.complete_arinvoice", "complete AR invoices")
    require_business_unit(actor, invoice.business_unit_id)
    invoice = ARInvoice.objects.select_for_update().get(pk=invoice.pk)
    apply_transition(
        invoice, "complete", actor=actor, reason="completed", by=actor, when=timezone.now()
    )
    invoice.save()
    sales_lines = (
        SalesOrderLine.objects.select_for_update()
        .filter(ar_invoice_lines__invoice=invoice)
        .order_by("pk")
    )
    for line in sales_lines:
        apply_transition(line, "close", actor=actor, reason=f"billed on {invoice}")
        line.save()
    return invoice
