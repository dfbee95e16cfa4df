"""Matching AP invoices to their PO and receipts: the holds each deserves, written in bulk
for one invoice (validation from the page) or a chunk of them (Validate AP Invoices)."""

from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from b2b_portal.bulk_writes import bulk_create_with_history, bulk_save_with_history
from b2b_portal.fields import format_money, format_quantity
from b2b_portal.transitions import apply_transition
from procurement.locks import purchase_order_lines_for_update, purchase_orders_for_update
from procurement.models import POLineStatus, PurchaseOrderLine
from procurement.services import purchase_orders_follow_lines

from ..locks import ap_invoice_holds_for_update
from ..models import APInvoice, APInvoiceHold, APInvoiceLine, HoldReason


def _hold_messages(invoice_line: APInvoiceLine, po_line: PurchaseOrderLine, billable, tolerance):
    """The holds this line deserves now, as (reason, message) pairs; ``billable`` is what
    is received on the PO line and not yet billed by this or another invoice."""
    holds = []
    if invoice_line.quantity > billable:
        holds.append(
            (
                HoldReason.QUANTITY_BILLED_OVER_RECEIVED,
                f"{po_line}: billed {format_quantity(invoice_line.quantity)}, but only "
                f"{format_quantity(billable)} received "
                "and not yet billed.",
            )
        )
    ceiling = po_line.unit_price * (1 + tolerance / Decimal(100))
    if invoice_line.unit_price > ceiling:
        holds.append(
            (
                HoldReason.PRICE_OVER_PO,
                f"{po_line}: invoice price {format_money(invoice_line.unit_price)} exceeds PO "
                f"price {format_money(po_line.unit_price)} (tolerance "
                f"{format_quantity(tolerance)}%).",
            )
        )
    return holds


class _Matching:
    """The holds and billed quantities of one matching pass over locked invoices."""

    def __init__(self, invoices: list[APInvoice]):
        ids = [invoice.pk for invoice in invoices]
        # Invoices (locked by the caller), then their POs, then PO lines, in the cycle's
        # order: a receipt on the same PO waits for the billed quantities, or they for it.
        self.purchase_orders = {
            purchase_order.pk: purchase_order
            for purchase_order in purchase_orders_for_update().filter(
                pk__in={invoice.purchase_order_id for invoice in invoices}
            )
        }
        self.lines = defaultdict(list)
        for line in APInvoiceLine.objects.filter(invoice_id__in=ids).order_by("pk"):
            self.lines[line.invoice_id].append(line)
        po_line_ids = {
            line.purchase_order_line_id for lines in self.lines.values() for line in lines
        }
        self.po_lines = {
            line.pk: line for line in purchase_order_lines_for_update().filter(pk__in=po_line_ids)
        }
        # A hold's message names the PO line by its PO's number: the PO read above, not
        # one more query a line.
        for line in self.po_lines.values():
            line.purchase_order = self.purchase_orders[line.purchase_order_id]
        self.billable = {
            pk: line.received_quantity - line.billed_quantity for pk, line in self.po_lines.items()
        }
        self.open_holds = defaultdict(dict)
        self.waived = set()
        # A hand release of one of these holds waits for this pass, or this pass for it.
        for hold in ap_invoice_holds_for_update().filter(invoice_id__in=ids):
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


class _Outcome:
    """What one matching pass writes: holds placed and released, invoices validated, PO
    lines billed."""

    def __init__(self):
        self.placed, self.released, self.validated, self.billed = [], [], [], {}

    def hold(self, invoice, due: dict, open_holds: dict, *, actor, now) -> None:
        for (line_id, reason), message in due.items():
            if (line_id, reason) not in open_holds:
                self.placed.append(
                    APInvoiceHold(
                        invoice=invoice, invoice_line_id=line_id, reason=reason, message=message
                    )
                )
        for key, hold in open_holds.items():
            if key not in due:
                hold.released_at, hold.released_by = now, actor
                hold.release_reason, hold.released_by_validation = "cause resolved", True
                self.released.append(hold)

    def bill(self, invoice, matching: _Matching, now) -> None:
        self.validated.append(invoice)
        for line in matching.lines[invoice.pk]:
            po_line = matching.po_lines[line.purchase_order_line_id]
            po_line.billed_quantity += line.quantity
            po_line.updated_at = now
            self.billed[po_line.pk] = po_line

    def save(self, *, actor) -> None:
        bulk_create_with_history(
            self.placed,
            APInvoiceHold,
            default_user=actor,
            default_change_reason="placed by validation",
        )
        bulk_save_with_history(
            self.released,
            ["released_at", "released_by", "release_reason", "released_by_validation"],
            actor=actor,
            reason="released by validation",
        )
        billed = list(self.billed.values())
        for po_line in billed:
            if po_line.status == POLineStatus.CLOSED_FOR_RECEIVING and po_line.is_fully_billed():
                apply_transition(po_line, "close", actor=actor, reason="received and billed")
        bulk_save_with_history(
            billed, ["billed_quantity", "status", "updated_at"], actor=actor, reason="billed"
        )


def match_invoices(invoices: list[APInvoice], *, actor) -> int:
    """Place the holds each invoice deserves now and release those whose cause has gone
    (the goods arrived since); a hold released by hand is waived and never placed again.
    An invoice with no open hold is Validated and its quantities count as billed on the
    PO lines. Written in bulk; the caller has locked the invoices. Returns how many
    invoices were validated."""
    matching = _Matching(invoices)
    outcome = _Outcome()
    now = timezone.now()
    for invoice in invoices:
        due = matching.holds_due(invoice)
        outcome.hold(invoice, due, matching.open_holds[invoice.pk], actor=actor, now=now)
        if due:
            apply_transition(invoice, "place_on_hold", actor=actor, reason="validation: on hold")
            invoice.validated_at = None
        else:
            apply_transition(invoice, "validate", actor=actor, reason="validated", when=now)
            outcome.bill(invoice, matching, now)
        invoice.updated_at = now
    outcome.save(actor=actor)
    purchase_orders_follow_lines(
        actor=actor,
        purchase_orders=list(matching.purchase_orders.values()),
        reason="received and billed",
    )
    bulk_save_with_history(
        invoices, ["status", "validated_at", "updated_at"], actor=actor, reason="validation"
    )
    return len(outcome.validated)
