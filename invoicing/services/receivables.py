"""Receivables: AutoInvoice turns shipped lines into invoices at the sales order price;
completing an invoice closes its lines."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django_fsm import can_proceed

from b2b_portal.errors import TransitionRefused, ValidationRefused
from b2b_portal.integrity import violated_constraint
from b2b_portal.permissions import require_permission
from b2b_portal.transitions import (
    apply_transition,
    bulk_create_with_history,
    bulk_save_moved,
    bulk_save_with_history,
)
from catalog.units import require_business_unit
from orders.locks import sales_order_lines_for_update
from orders.models import SalesOrder
from processes.batching import ProcessResult, filter_by, process_in_chunks
from shipping.models import ShipmentLine, ShipmentStatus

from ..locks import ar_invoices_for_update
from ..models import ARCreditMemoLine, ARInvoice, ARInvoiceLine, CreditDisposition
from ..tax import tax_rates

AUTOINVOICE = "Import AutoInvoice"
# The invoice line that bills a shipment line the first time, while its invoice stands.
LIVE_FIRST_BILLING = ARInvoiceLine.objects.filter(is_cancelled=False, reinvoice_of__isnull=True)
# What billing reads of a shipment line, and of a sales order line (mark_billed checks the
# quantities): columns, not whole rows.
_LINE_TO_BILL = ("pk", "quantity", "sales_order_line_id", "sales_order_line__order_id")
_SALES_LINE = (
    "order",
    "item",
    "unit_selling_price",
    "status",
    "shipped_quantity",
    "invoiced_quantity",
)
# The partial unique constraints that bill a shipment line, or a credited quantity, once.
BILLED_ONCE = ("one_live_ar_line_per_shipment_line", "one_live_reinvoice_per_credit_line")
COMPLETED = "completed"
NO_INVOICE_SELECTED = "Select at least one draft invoice to complete."
NOT_DRAFT_IN_SELECTION = (
    "{statuses}: only a Draft invoice can be completed, so none of the {selected} selected "
    "was. Reload the list and select the drafts again."
)


@dataclass(frozen=True)
class _Billing:
    """A quantity of one shipment line to bill: all it shipped, or a credited quantity."""

    shipment_line_id: int
    sales_order_line_id: int
    quantity: Decimal
    reinvoice_of_id: int | None = None


def _invoice_billings(billings: list[_Billing], *, actor) -> list[ARInvoice]:
    """One draft invoice per sales order of the chunk on the customer's terms, one line per
    billing at the sales order price and the tax rate in force; the sales order lines are
    billed. Price, item and order come from the locked sales order lines, the orders'
    terms (their customers') as values: no other model per row."""
    quantities = defaultdict(Decimal)
    for billing in billings:
        quantities[billing.sales_order_line_id] += billing.quantity
    # A cancellation or change of the same lines waits for the billing, or it for them.
    sales_lines = {
        line.pk: line
        for line in sales_order_lines_for_update().filter(pk__in=quantities).only(*_SALES_LINE)
    }
    orders = {
        pk: header
        for pk, *header in SalesOrder.objects.filter(
            pk__in={line.order_id for line in sales_lines.values()}
        ).values_list(
            "pk", "business_unit_id", "customer_id", "currency_code", "customer__payment_terms_days"
        )
    }
    rates = tax_rates((orders[line.order_id][0], line.item_id) for line in sales_lines.values())
    today = timezone.localdate()
    invoices = {}
    for billing in billings:  # the invoices in the order of their first lines
        order_id = sales_lines[billing.sales_order_line_id].order_id
        if order_id not in invoices:
            unit_id, customer_id, currency_code, terms = orders[order_id]
            invoices[order_id] = ARInvoice(
                business_unit_id=unit_id,
                customer_id=customer_id,
                sales_order_id=order_id,
                invoice_date=today,
                payment_terms_days=terms,
                currency_code=currency_code,
            )
    bulk_create_with_history(
        list(invoices.values()), ARInvoice, default_user=actor, default_change_reason=AUTOINVOICE
    )
    invoice_lines = []
    for billing in billings:
        sales_line = sales_lines[billing.sales_order_line_id]
        invoice_lines.append(
            ARInvoiceLine(
                invoice=invoices[sales_line.order_id],
                shipment_line_id=billing.shipment_line_id,
                sales_order_line_id=sales_line.pk,
                quantity=billing.quantity,
                unit_price=sales_line.unit_selling_price,
                tax_rate=rates[orders[sales_line.order_id][0], sales_line.item_id],
                reinvoice_of_id=billing.reinvoice_of_id,
            )
        )
    bulk_create_with_history(
        invoice_lines, ARInvoiceLine, default_user=actor, default_change_reason=AUTOINVOICE
    )
    set_billed(
        [billing.shipment_line_id for billing in billings if not billing.reinvoice_of_id],
        billed=True,
    )
    _bill_sales_lines(list(sales_lines.values()), quantities, actor=actor)
    return list(invoices.values())


def set_billed(shipment_line_ids: list[int], *, billed: bool) -> None:
    """Keep ``ShipmentLine.is_billed`` with the first billings that bill the lines, or
    stop billing them. The caller holds the lines' locks."""
    ShipmentLine.objects.filter(pk__in=shipment_line_ids).update(is_billed=billed)


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
    invoice line at the sales order price; one invoice per sales order and run. The
    dates bound the ship date."""
    shipment_lines = ShipmentLine.objects.filter(
        ~Exists(LIVE_FIRST_BILLING.filter(shipment_line=OuterRef("pk"))),
        # The flag narrows the walk to the index of lines to bill; NOT EXISTS decides.
        is_billed=False,
        # The line's own status too: a line un-released on its own stays behind on a
        # shipment that shipped without it.
        status=ShipmentStatus.SHIPPED,
        shipment__status=ShipmentStatus.SHIPPED,
    )
    shipment_lines = filter_by(
        shipment_lines,
        shipment__business_unit=business_unit,
        shipment__shipped_at__date__gte=date_from,
        shipment__shipped_at__date__lte=date_to,
    )
    # What billing reads of a line, as rows with a pk: no model (nor FSM state) per line.
    rows = shipment_lines.values_list(*_LINE_TO_BILL, named=True)

    def handle(chunk: list) -> ProcessResult:
        return _bill_unbilled(
            _with_rest_of_their_orders(chunk, rows),
            shipment_lines,
            lambda lines: [
                _Billing(line.pk, line.sales_order_line_id, line.quantity) for line in lines
            ],
            actor=actor,
        )

    result = process_in_chunks(rows, handle, batch_size=batch_size, progress=progress)
    result.add(_reinvoice_credited(actor=actor, business_unit=business_unit, batch_size=batch_size))
    return result


def _with_rest_of_their_orders(chunk: list, unbilled: QuerySet) -> list:
    """The chunk and the unbilled lines of its orders that lie beyond it (locked, as the
    chunk is), so that an order straddling two chunks is one invoice, not two."""
    orders = {line.sales_order_line__order_id for line in chunk}
    rest = unbilled.filter(sales_order_line__order_id__in=orders, pk__gt=chunk[-1].pk)
    return chunk + list(rest.order_by("pk").select_for_update(skip_locked=True, of=("self",)))


def _reinvoice_credited(*, actor, business_unit, batch_size: int) -> ProcessResult:
    """The quantities credit memos asked to bill again, each once (the partial unique
    constraint ``one_live_reinvoice_per_credit_line`` is the last guard)."""
    credit_lines = ARCreditMemoLine.objects.filter(
        ~Exists(ARInvoiceLine.objects.filter(reinvoice_of=OuterRef("pk"), is_cancelled=False)),
        disposition=CreditDisposition.REINVOICE,
    ).select_related("invoice_line")
    credit_lines = filter_by(credit_lines, memo__business_unit=business_unit)

    def handle(chunk: list[ARCreditMemoLine]) -> ProcessResult:
        return _bill_unbilled(
            chunk,
            credit_lines,
            lambda lines: [
                _Billing(
                    line.invoice_line.shipment_line_id,
                    line.invoice_line.sales_order_line_id,
                    line.quantity,
                    reinvoice_of_id=line.pk,
                )
                for line in lines
            ],
            actor=actor,
        )

    return process_in_chunks(credit_lines, handle, batch_size=batch_size)


def _bill_unbilled(chunk: list, unbilled: QuerySet, billings_of, *, actor) -> ProcessResult:
    """Bill the rows of a locked chunk that ``unbilled`` still selects: the claim that makes
    two AutoInvoice runs at once safe.

    The chunk was chosen by a NOT EXISTS read whose snapshot may predate another run's
    commit of the same rows: by the time this run locks them the other has let go, and
    PostgreSQL re-checks only the locked row's own conditions (a shipment line's
    ``is_billed``, a copy), while billing inserts the invoice lines that decide and leaves
    a credit line as it was. Read again under the lock, the rows the other run billed drop
    out. Should a unique constraint still stop
    a line (another writer), only this savepoint is undone and the chunk is read again
    without it: a skipped line, never a failed run. Skipped rows are not counted here; the
    run that billed them counted them."""
    while True:
        claimed = set(
            unbilled.filter(pk__in=[row.pk for row in chunk])
            .order_by()
            .values_list("pk", flat=True)
        )
        rows = [row for row in chunk if row.pk in claimed]
        if not rows:
            return ProcessResult()
        try:
            with transaction.atomic():
                invoices = _invoice_billings(billings_of(rows), actor=actor)
        except IntegrityError as error:
            if violated_constraint(error) not in BILLED_ONCE:
                raise
            continue  # the conflicting line is committed now: the next read leaves it out
        return ProcessResult(examined=len(rows), created=len(invoices))


def _bill_sales_lines(sales_lines: list, quantities: dict, *, actor) -> None:
    """Add the billed quantities to the locked sales order lines, billed when all is."""
    now = timezone.now()
    for line in sales_lines:
        line.invoiced_quantity += quantities[line.pk]
        line.updated_at = now
        apply_transition(line, "mark_billed", actor=actor, reason=AUTOINVOICE)
    bulk_save_with_history(
        sales_lines, ["status", "invoiced_quantity", "updated_at"], actor=actor, reason=AUTOINVOICE
    )


def ar_invoice_complete(*, actor, invoice: ARInvoice) -> ARInvoice:
    """Complete the customer's invoice: its sales order lines are closed."""
    [completed] = ar_invoices_complete(actor=actor, invoices=[invoice])
    return completed


@transaction.atomic
def ar_invoices_complete(*, actor, invoices) -> list[ARInvoice]:
    """Complete the selected invoices together, as AR accountants do after AutoInvoice;
    their sales order lines close. All or nothing: one invoice no longer Draft (another
    accountant completed or cancelled it meanwhile) refuses the whole selection, naming
    it, so that what was done is never a guess. A constant number of statements whatever
    the count. Returns the invoices completed, in pk order."""
    require_permission(actor, "invoicing.complete_arinvoice", "complete AR invoices")
    pks = {invoice.pk for invoice in invoices}
    if not pks:
        raise ValidationRefused(NO_INVOICE_SELECTED)
    # Completed once: a second completion waits, then finds the invoices Complete.
    locked = list(ar_invoices_for_update().filter(pk__in=pks))
    for unit_id in {invoice.business_unit_id for invoice in locked}:
        require_business_unit(actor, unit_id)
    not_draft = [invoice for invoice in locked if not can_proceed(invoice.complete)]
    if not_draft:
        raise TransitionRefused(_not_draft_refusal(not_draft, selected=len(pks)))
    now = timezone.now()
    for invoice in locked:
        apply_transition(invoice, "complete", actor=actor, reason=COMPLETED, by=actor, when=now)
    bulk_save_moved(
        locked, ["status", "completed_by", "completed_at"], actor=actor, reason=COMPLETED
    )
    _close_billed_lines(locked, actor=actor)
    return locked


def _not_draft_refusal(not_draft: list[ARInvoice], *, selected: int) -> str:
    statuses = ", ".join(f"{invoice} is {invoice.get_status_display()}" for invoice in not_draft)
    if selected == 1:
        return f"{statuses}: it cannot complete now."
    return NOT_DRAFT_IN_SELECTION.format(statuses=statuses, selected=selected)


def _close_billed_lines(invoices: list[ARInvoice], *, actor) -> None:
    """Close the invoices' sales order lines, each once (two shipments of a line bill it
    twice), each with the invoice that billed it as its reason: each transition is
    checked in memory and one UPDATE closes them all."""
    billed_on = {invoice.pk: invoice for invoice in invoices}
    # The invoice lines are read, not locked: their writers lock the invoice first. A line
    # billed on two of the invoices is named by the first (the last value a dict keeps).
    invoice_of_line = dict(
        ARInvoiceLine.objects.filter(invoice__in=invoices)
        .order_by("-invoice_id")
        .values_list("sales_order_line_id", "invoice_id")
    )
    sales_lines = list(sales_order_lines_for_update().filter(pk__in=invoice_of_line))
    for line in sales_lines:
        invoice = billed_on[invoice_of_line[line.pk]]
        apply_transition(line, "close", actor=actor, reason=f"billed on {invoice}")
    bulk_save_moved(sales_lines, ["status"], actor=actor, reason=COMPLETED)
