"""Receivables: AutoInvoice turns shipped lines into invoices at the sales order price;
completing an invoice closes its lines."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery, Value
from django.utils import timezone
from django_fsm import can_proceed

from b2b_portal.bulk_writes import insert_selected
from b2b_portal.errors import TransitionRefused, ValidationRefused
from b2b_portal.integrity import violated_constraint
from b2b_portal.permissions import require_permission
from b2b_portal.queries import any_of
from b2b_portal.transitions import apply_transition, bulk_save_moved
from catalog.units import require_business_unit
from orders.locks import sales_order_lines_for_update
from orders.models import SalesOrder
from processes.batching import ProcessResult, filter_by, process_in_chunks
from shipping.models import ShipmentLine, ShipmentStatus

from ..locks import ar_invoices_for_update
from ..models import ARCreditMemoLine, ARInvoice, ARInvoiceLine, CreditDisposition
from ..tax import tax_rate

AUTOINVOICE = "Import AutoInvoice"
# The invoice line that bills a shipment line the first time, while its invoice stands.
LIVE_FIRST_BILLING = ARInvoiceLine.objects.filter(is_cancelled=False, reinvoice_of__isnull=True)
# What billing reads of a row that bills (a shipment line, a credit memo line): columns, not
# whole rows; and of a sales order line, what ``mark_billed`` checks and its order.
_ROW_TO_BILL = ("pk", "quantity", "sales_order_line_id")
_SALES_LINE = ("order", "status", "shipped_quantity", "invoiced_quantity")
# An AR invoice made from its sales order on the customer's terms (``invoice_date`` aside).
INVOICE_FROM_ORDER = {
    "business_unit": F("business_unit"),
    "customer": F("customer"),
    "sales_order": F("pk"),
    "payment_terms_days": F("customer__payment_terms_days"),
    "currency_code": F("currency_code"),
}
# The partial unique constraints that bill a shipment line, or a credited quantity, once.
BILLED_ONCE = ("one_live_ar_line_per_shipment_line", "one_live_reinvoice_per_credit_line")
COMPLETED = "completed"
NO_INVOICE_SELECTED = "Select at least one draft invoice to complete."
NOT_DRAFT_IN_SELECTION = (
    "{statuses}: only a Draft invoice can be completed, so none of the {selected} selected "
    "was. Reload the list and select the drafts again."
)


@dataclass(frozen=True)
class _Billings:
    """Rows of ``model`` that each bill a quantity of a shipment line: a shipment line all
    it shipped (a first billing, which flags the line), or a credit memo line the quantity
    it credited. ``sales_line`` is the path from such a row to its sales order line,
    ``values`` its AR invoice line's shipment line, quantity and re-invoiced credit line,
    as query expressions over the row."""

    model: type
    sales_line: str
    values: dict
    first: bool

    def invoice_line(self, invoices: list[int]) -> dict:
        """The AR invoice line of a row, on the new invoice of its sales order (one of
        ``invoices``), at the sales order price and the tax rate in force."""
        line = self.sales_line
        # A list, not ``any_of``: a correlated subquery.
        of_its_order = ARInvoice.objects.filter(
            pk__in=invoices, sales_order=OuterRef(f"{line}__order")
        )
        return {
            **self.values,
            "invoice": Subquery(of_its_order.values("pk")),
            "sales_order_line": F(line),
            "unit_price": F(f"{line}__unit_selling_price"),
            "tax_rate": tax_rate(
                f"{line}__item__tax_rate", f"{line}__order__business_unit__tax_rate"
            ),
        }


FIRST_BILLINGS = _Billings(
    ShipmentLine,
    "sales_order_line",
    {"shipment_line": F("pk"), "quantity": F("quantity")},
    first=True,
)
REBILLINGS = _Billings(
    ARCreditMemoLine,
    "invoice_line__sales_order_line",
    {
        "shipment_line": F("invoice_line__shipment_line"),
        "quantity": F("quantity"),
        "reinvoice_of": F("pk"),
    },
    first=False,
)


def _invoice(rows: list, billings: _Billings, *, actor) -> list[int]:
    """One draft invoice per sales order of the rows, one line per row, and the sales order
    lines billed. The invoices and their lines are made in the database from the orders
    and the rows (``insert_selected``): only the sales order lines, which move, come to
    Python, with the columns their transition reads. Returns the new invoices' pks."""
    quantities = defaultdict(Decimal)
    for row in rows:
        quantities[row.sales_order_line_id] += row.quantity
    # A cancellation or change of the same lines waits for the billing, or it for them.
    sales_lines = list(
        sales_order_lines_for_update().filter(pk__in=any_of(quantities)).only(*_SALES_LINE)
    )
    orders = SalesOrder.objects.filter(pk__in=any_of({line.order_id for line in sales_lines}))
    invoice = {**INVOICE_FROM_ORDER, "invoice_date": Value(timezone.localdate())}
    invoices = insert_selected(ARInvoice, orders, invoice, actor=actor, reason=AUTOINVOICE)
    insert_selected(
        ARInvoiceLine,
        billings.model.objects.filter(pk__in=any_of(row.pk for row in rows)),
        billings.invoice_line(invoices),
        actor=actor,
        reason=AUTOINVOICE,
    )
    if billings.first:
        set_billed([row.pk for row in rows], billed=True)
    _bill_sales_lines(sales_lines, quantities, actor=actor)
    return invoices


def set_billed(shipment_line_ids: list[int], *, billed: bool) -> None:
    """Keep ``ShipmentLine.is_billed`` with the first billings that bill the lines, or
    stop billing them. The caller holds the lines' locks."""
    ShipmentLine.objects.filter(pk__in=any_of(shipment_line_ids)).update(is_billed=billed)


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
    rows = shipment_lines.values_list(*_ROW_TO_BILL, "sales_order_line__order_id", named=True)

    def handle(chunk: list) -> ProcessResult:
        return _bill_unbilled(
            _with_rest_of_their_orders(chunk, rows), shipment_lines, FIRST_BILLINGS, actor=actor
        )

    result = process_in_chunks(rows, handle, batch_size=batch_size, progress=progress)
    result.add(_reinvoice_credited(actor=actor, business_unit=business_unit, batch_size=batch_size))
    return result


def _with_rest_of_their_orders(chunk: list, unbilled: QuerySet) -> list:
    """The chunk and the unbilled lines of its orders that lie beyond it (locked, as the
    chunk is), so that an order straddling two chunks is one invoice, not two."""
    orders = {line.sales_order_line__order_id for line in chunk}
    rest = unbilled.filter(sales_order_line__order_id__in=any_of(orders), pk__gt=chunk[-1].pk)
    return chunk + list(rest.order_by("pk").select_for_update(skip_locked=True, of=("self",)))


def _reinvoice_credited(*, actor, business_unit, batch_size: int) -> ProcessResult:
    """The quantities credit memos asked to bill again, each once (the partial unique
    constraint ``one_live_reinvoice_per_credit_line`` is the last guard)."""
    credit_lines = ARCreditMemoLine.objects.filter(
        ~Exists(ARInvoiceLine.objects.filter(reinvoice_of=OuterRef("pk"), is_cancelled=False)),
        disposition=CreditDisposition.REINVOICE,
    )
    credit_lines = filter_by(credit_lines, memo__business_unit=business_unit)
    rows = credit_lines.annotate(sales_order_line_id=F(REBILLINGS.sales_line)).values_list(
        *_ROW_TO_BILL, named=True
    )

    def handle(chunk: list) -> ProcessResult:
        return _bill_unbilled(chunk, credit_lines, REBILLINGS, actor=actor)

    return process_in_chunks(rows, handle, batch_size=batch_size)


def _bill_unbilled(chunk: list, unbilled: QuerySet, billings: _Billings, *, actor) -> ProcessResult:
    """Bill the rows of a locked chunk, each once: what makes two AutoInvoice runs at once
    safe.

    The chunk was chosen by a NOT EXISTS read whose snapshot may predate another run's
    commit of the same rows: by the time this run locks them the other has let go, and
    PostgreSQL re-checks only the locked row's own conditions (a shipment line's
    ``is_billed``, which the other run set, drops it; a credit line stays). The unique
    constraints that bill a row once stop what is left: only this savepoint is undone,
    and the rows ``unbilled`` still selects, read again under the lock, are billed
    without the conflicting one: a skipped row, never a failed run. The chunk is not read
    again before that: the conflict is rare, the read a statement a chunk. Skipped rows
    are not counted here; the run that billed them counted them."""
    rows = chunk
    while rows:
        try:
            with transaction.atomic():
                invoices = _invoice(rows, billings, actor=actor)
        except IntegrityError as error:
            if violated_constraint(error) not in BILLED_ONCE:
                raise
            # The conflicting row is committed now: this read leaves it out.
            claimed = set(
                unbilled.filter(pk__in=any_of(row.pk for row in rows))
                .order_by()
                .values_list("pk", flat=True)
            )
            rows = [row for row in rows if row.pk in claimed]
            continue
        return ProcessResult(examined=len(rows), created=len(invoices))
    return ProcessResult()


def _bill_sales_lines(sales_lines: list, quantities: dict, *, actor) -> None:
    """Add the billed quantities to the locked sales order lines, billed when all is."""
    for line in sales_lines:
        line.invoiced_quantity += quantities[line.pk]
        apply_transition(line, "mark_billed", actor=actor, reason=AUTOINVOICE)
    bulk_save_moved(sales_lines, ["status", "invoiced_quantity"], actor=actor, reason=AUTOINVOICE)


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
