"""The Peg Trace: the whole chain behind one sales order line, with every document's
history and the time the line spent in each status.

The chain is ``PEG_TRACE_STAGES``, one declared stage per step; ``peg_trace`` walks it
with one query for the rows of each stage and one for the history of them all.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import F, Q, Value

from b2b_portal.fields import format_quantity
from inventory.models import Reservation
from invoicing.models import (
    APInvoice,
    APInvoiceLine,
    ARCreditMemo,
    ARCreditMemoLine,
    ARInvoice,
    ARInvoiceLine,
)
from orders.models import LineStatus, SalesOrderLine
from procurement.models import PurchaseOrder, PurchaseOrderLine, RequisitionLine, SupplyOrder
from receiving.models import Receipt, ReceiptLine
from shipping.models import Shipment, ShipmentLine, ShipmentStatus
from suppliers.models import LineAcknowledgement, ShipNotice, ShipNoticeLine


@dataclass
class TraceEntry:
    """One document of the chain as the trace shows it."""

    number: str
    status: str
    quantity: Decimal | None
    document: models.Model
    dates: list[tuple[str, date | datetime | None]] = field(default_factory=list)
    note: str = ""
    history: list = field(default_factory=list)
    url: str | None = None

    @property
    def created(self):
        return self.history[0] if self.history else None

    @property
    def changes(self):
        return self.history[1:]


@dataclass
class StatusPeriod:
    """A stretch of time the sales order line spent in one status."""

    status: str
    started_at: datetime
    ended_at: datetime | None
    moved_by: object
    reason: str


@dataclass
class PegTrace:
    line: SalesOrderLine
    stages: list[tuple[str, list[TraceEntry]]]
    periods: list[StatusPeriod]


# Whoever may view one document of the chain may open the trace.
TRACE_PERMISSIONS = [
    "orders.view_salesorder",
    "orders.view_salesorderline",
    "procurement.view_supplyorder",
    "procurement.view_requisition",
    "procurement.view_purchaseorder",
    "receiving.view_receipt",
    "inventory.view_reservation",
    "shipping.view_shipment",
    "invoicing.view_apinvoice",
    "invoicing.view_arinvoice",
]


@dataclass(frozen=True)
class HistoryRow:
    """What the trace reads of one history row: when, who (a user with only the username
    loaded), why, and the status (the line's own rows only: the time in each status)."""

    history_date: datetime
    history_change_reason: str | None
    history_user: object  # the user model, or None: the system
    status: str | None


def _histories(wanted: list[tuple[type[models.Model], set]]) -> list[dict[int, list]]:
    """Every history row of the documents ``wanted`` ((model, pks) per stage, the line's
    own first), oldest first: {pk: rows} per stage, in one query (a UNION of the history
    tables) instead of one per stage, of the few columns the trace reads."""
    parts = [
        _history_columns(model, index).filter(id__in=pks)
        for index, (model, pks) in enumerate(wanted)
    ]
    rows: list[dict[int, list]] = [{} for _ in wanted]
    users = {None: None}
    found = parts[0].union(*parts[1:], all=True).order_by("history_date", "history_id")
    for index, pk, _, at, reason, user_id, username, row_status in found:
        if user_id not in users:
            users[user_id] = get_user_model()(pk=user_id, username=username)
        row = HistoryRow(at, reason, users[user_id], row_status)
        rows[index].setdefault(pk, []).append(row)
    return rows


@cache
def _history_columns(model: type[models.Model], index: int):
    """The columns ``_histories`` reads of ``model``'s history rows as its ``index``-th
    part (the line's own status at 0): the same on every trace, so built once."""
    status = F("status") if index == 0 else Value(None, output_field=models.CharField())
    return (
        model.history.annotate(stage=Value(index), row_status=status)
        .order_by()
        .values_list(
            "stage",
            "id",
            "history_id",
            "history_date",
            "history_change_reason",
            "history_user_id",
            "history_user__username",
            "row_status",
        )
    )


def status_periods(history_rows) -> list[StatusPeriod]:
    """Turn a line's history into the time spent in each status (rows oldest first)."""
    periods: list[StatusPeriod] = []
    for row in history_rows:
        if periods and periods[-1].status == LineStatus(row.status).label:
            continue
        if periods:
            periods[-1].ended_at = row.history_date
        periods.append(
            StatusPeriod(
                status=LineStatus(row.status).label,
                started_at=row.history_date,
                ended_at=None,
                moved_by=row.history_user,
                reason=row.history_change_reason or "",
            )
        )
    return periods


def _line_entry(line: SalesOrderLine) -> TraceEntry:
    order = line.order
    return TraceEntry(
        number=str(line),
        status=line.get_status_display(),
        quantity=line.quantity,
        document=order,
        dates=[
            ("Ordered", order.ordered_date),
            ("Requested", line.requested_date),
            ("Booked", order.booked_at),
            ("Scheduled ship", line.scheduled_ship_date),
        ],
        note=f"{line.item.number} for {order.customer.name}{_jeopardy_note(line)}",
    )


def _jeopardy_note(line: SalesOrderLine) -> str:
    return f"; at risk, {line.days_late} days late" if line.days_late else ""


def _supply_entry(supply: SupplyOrder) -> TraceEntry:
    return TraceEntry(
        number=supply.number,
        status=supply.get_status_display(),
        quantity=supply.quantity,
        document=supply,
        dates=[("Need by", supply.need_by_date)],
        note=supply.exception_reason,
    )


def _cancelled_by_note(document) -> str:
    """Who cancelled a requisition or PO line, and why (empty while it is live)."""
    if document.cancelled_by is None:
        return ""
    return f"; Cancelled by {document.cancelled_by}, {document.cancel_reason}"


def _requisition_entry(requisition_line: RequisitionLine) -> TraceEntry:
    return TraceEntry(
        number=str(requisition_line),
        status=requisition_line.get_status_display(),
        quantity=requisition_line.quantity,
        document=requisition_line.requisition,
        dates=[("Need by", requisition_line.need_by_date)],
        note=f"Supplier {requisition_line.supplier.name}{_cancelled_by_note(requisition_line)}",
    )


def _purchase_order_entry(po_line: PurchaseOrderLine) -> TraceEntry:
    purchase_order = po_line.purchase_order
    return TraceEntry(
        number=str(po_line),
        status=purchase_order.get_status_display(),
        quantity=po_line.quantity,
        document=purchase_order,
        dates=[
            ("Submitted", purchase_order.submitted_at),
            ("Approved", purchase_order.approved_at),
            ("Promised", po_line.promised_date),
            ("Expected", po_line.expected_date),  # the supplier's word (suppliers.expected)
        ],
        note=(
            f"Line {po_line.get_status_display()}, received "
            f"{format_quantity(po_line.received_quantity)}; supplier "
            f"{purchase_order.supplier.name}{_cancelled_by_note(po_line)}{_unpegged_note(po_line)}"
        ),
    )


def _unpegged_note(po_line: PurchaseOrderLine) -> str:
    """An unpegged PO line: its demand was cancelled (the line's own reason says why)."""
    if po_line.unpegged_from_id is None:
        return ""
    line = po_line.unpegged_from
    return f"; Unpegged: {line} cancelled, {line.cancel_reason}"


def _acknowledgement_entry(acknowledgement: LineAcknowledgement) -> TraceEntry:
    return TraceEntry(
        number=str(acknowledgement.purchase_order_line),
        status=acknowledgement.get_kind_display(),
        quantity=acknowledgement.backordered_quantity,
        document=acknowledgement,
        dates=[
            ("Acknowledged", acknowledgement.created_at),
            ("New date", acknowledgement.promised_date),
        ],
        note=": ".join(
            filter(None, [f"By {acknowledgement.acknowledged_by}", acknowledgement.reason])
        ),
    )


def _ship_notice_entry(line: ShipNoticeLine) -> TraceEntry:
    ship_notice = line.ship_notice
    received = f"; received as {ship_notice.receipt}" if ship_notice.receipt_id else ""
    return TraceEntry(
        number=ship_notice.number,
        status=ship_notice.get_status_display(),
        quantity=line.quantity,
        document=ship_notice,
        dates=[
            ("Shipped", ship_notice.ship_date),
            ("Expected arrival", ship_notice.expected_arrival),
        ],
        note=f"{ship_notice.carrier} {ship_notice.tracking_number}{received}",
    )


def _receipt_entry(receipt_line: ReceiptLine) -> TraceEntry:
    return TraceEntry(
        number=receipt_line.receipt.number,
        status="Received",
        quantity=receipt_line.quantity,
        document=receipt_line.receipt,
        dates=[("Received", receipt_line.receipt.received_at)],
        note=f"Reserved {format_quantity(receipt_line.reserved_quantity)}",
    )


def _reservation_entry(reservation: Reservation) -> TraceEntry:
    return TraceEntry(
        number=f"Reservation in {reservation.warehouse.code}",
        status="Held" if reservation.quantity else "Issued",
        quantity=reservation.quantity,
        document=reservation,
        dates=[("Reserved", reservation.created_at)],
    )


def _unreleased_alone(shipment_line: ShipmentLine) -> bool:
    """The line was un-released on its own: its shipment went on Released (or Shipped)."""
    return (
        shipment_line.status == ShipmentStatus.UNRELEASED
        and shipment_line.shipment.status != ShipmentStatus.UNRELEASED
    )


def _shipment_entry(shipment_line: ShipmentLine) -> TraceEntry:
    shipment = shipment_line.shipment
    dates = [("Released", shipment.created_at), ("Shipped", shipment.shipped_at)]
    status = shipment.get_status_display()
    if _unreleased_alone(shipment_line):
        # As a whole un-release shows: the status, when, and (in the note) who and why.
        status = shipment_line.get_status_display()
        dates.append((status, shipment_line.updated_at))
    elif shipment.corrected_at:  # un-released or reversed
        dates.append((shipment.get_status_display(), shipment.corrected_at))
    return TraceEntry(
        number=shipment.number,
        status=status,
        quantity=shipment_line.quantity,
        document=shipment,
        dates=dates,
        note=f"Pick wave {shipment.pick_wave.number}{_corrected_note(shipment_line)}",
    )


def _corrected_note(shipment_line: ShipmentLine) -> str:
    """Who un-released or reversed the shipment, and why; what a partial ship left."""
    shipment = shipment_line.shipment
    note = ""
    if shipment_line.quantity != shipment_line.released_quantity:
        note = f"; released {format_quantity(shipment_line.released_quantity)}"
    if _unreleased_alone(shipment_line):
        # Who and why are in the line's own history (one query, only for such a line).
        record = shipment_line.history.order_by("-history_date", "-history_id").first()
        if record is not None:
            note += f"; line {record.history_change_reason} by {record.history_user}"
        return note
    if shipment.corrected_by is None:
        return note
    return (
        f"{note}; {shipment.get_status_display()} by {shipment.corrected_by}, "
        f"{shipment.correction_reason}"
    )


def _ap_invoice_entry(ap_line: APInvoiceLine) -> TraceEntry:
    invoice = ap_line.invoice
    return TraceEntry(
        number=invoice.number,
        status=invoice.get_status_display(),
        quantity=ap_line.quantity,
        document=invoice,
        dates=[
            ("Invoice date", invoice.invoice_date),
            ("Validated", invoice.validated_at),
            ("Paid", invoice.paid_at),
        ],
        note=f"Supplier invoice {invoice.supplier_invoice_number}" + _cancelled_note(invoice),
    )


def _cancelled_note(invoice) -> str:
    """Why a cancelled invoice was cancelled (who: its history row, shown beside it)."""
    return f"; cancelled: {invoice.cancel_reason}" if invoice.cancel_reason else ""


def _ar_invoice_entry(ar_line: ARInvoiceLine) -> TraceEntry:
    invoice = ar_line.invoice
    note = f"Bills again what {ar_line.reinvoice_of.memo} credited" if ar_line.reinvoice_of else ""
    return TraceEntry(
        number=invoice.number,
        status=invoice.get_status_display(),
        quantity=ar_line.quantity,
        document=invoice,
        dates=[("Invoice date", invoice.invoice_date), ("Completed", invoice.completed_at)],
        note=(note + _cancelled_note(invoice)).lstrip("; "),
    )


def _credit_memo_entry(credit_line: ARCreditMemoLine) -> TraceEntry:
    memo = credit_line.memo
    return TraceEntry(
        number=memo.number,
        status=credit_line.get_disposition_display() if credit_line.quantity else "Amount only",
        quantity=credit_line.quantity,
        document=memo,
        dates=[("Issued", memo.created_at)],
        note=f"Credits {credit_line.amount} of {credit_line.invoice_line.invoice}, "
        f"by {memo.created_by}: {memo.reason}",
    )


@dataclass(frozen=True)
class TraceStage:
    """One step of the chain as the Peg Trace shows it.

    Its rows are the ``model`` rows that reach the sales order line through ``line_path``
    (with the joins ``related`` that ``entry`` reads); each row is shown by ``entry``, with
    the history of ``history_model`` row ``history_of`` (the row itself, or its document).
    """

    title: str
    model: type[models.Model]
    line_path: str  # empty for the line's own stage
    related: tuple[str, ...]
    history_model: type[models.Model]
    history_of: str
    entry: Callable[[models.Model], TraceEntry]
    also_path: str = ""  # a second way a row reached the line: an unpegged PO line
    optional: bool = False  # not a step of every line (a credit memo): shown only when made
    # A split line with none of its own shows those of the line it was split from (the
    # rest of a partial shipment holds stock received on that line's PO line).
    from_split: bool = False

    def rows(self, line: SalesOrderLine) -> tuple[list, SalesOrderLine]:
        """The stage's rows, and the line they belong to (``line``, or the line it was
        split from when ``from_split`` and ``line`` has none)."""
        if not self.line_path:
            return [line], line  # the line itself, already loaded with its order and item
        reached = Q(**{self.line_path: line})
        if self.also_path:
            reached |= Q(**{self.also_path: line})
        rows = self.model.objects.filter(reached).order_by("pk")
        if self.related:  # select_related() of nothing would join every foreign key
            rows = rows.select_related(*self.related)
        rows = list(rows)
        if not rows and self.from_split and line.split_from_id is not None:
            return self.rows(SalesOrderLine.objects.get(pk=line.split_from_id))
        return rows, line


# The chain in the order a line moves through it.
PEG_TRACE_STAGES = [
    TraceStage(
        title="Sales order line",
        model=SalesOrderLine,
        line_path="",
        related=(),
        history_model=SalesOrderLine,
        history_of="pk",
        entry=_line_entry,
    ),
    TraceStage(
        title="Supply order",
        model=SupplyOrder,
        line_path="sales_order_line",
        related=(),
        history_model=SupplyOrder,
        history_of="pk",
        entry=_supply_entry,
    ),
    TraceStage(
        title="Requisition",
        model=RequisitionLine,
        line_path="sales_order_line",
        related=("requisition", "supplier", "cancelled_by"),
        history_model=RequisitionLine,
        history_of="pk",
        entry=_requisition_entry,
    ),
    TraceStage(
        title="Purchase order",
        model=PurchaseOrderLine,
        line_path="sales_order_line",
        also_path="unpegged_from",
        related=("purchase_order__supplier", "cancelled_by", "unpegged_from"),
        history_model=PurchaseOrder,
        history_of="purchase_order_id",
        entry=_purchase_order_entry,
        from_split=True,
    ),
    # The supplier's side (suppliers app): shown once the supplier has said something.
    TraceStage(
        title="Supplier acknowledgement",
        model=LineAcknowledgement,
        line_path="purchase_order_line__sales_order_line",
        related=("purchase_order_line__purchase_order", "acknowledged_by"),
        history_model=LineAcknowledgement,
        history_of="pk",
        entry=_acknowledgement_entry,
        optional=True,
    ),
    TraceStage(
        title="Ship notice",
        model=ShipNoticeLine,
        line_path="purchase_order_line__sales_order_line",
        related=("ship_notice__receipt",),
        history_model=ShipNotice,
        history_of="ship_notice_id",
        entry=_ship_notice_entry,
        optional=True,
    ),
    TraceStage(
        title="Receipt",
        model=ReceiptLine,
        line_path="sales_order_line",
        related=("receipt",),
        history_model=Receipt,
        history_of="receipt_id",
        entry=_receipt_entry,
    ),
    TraceStage(
        title="Reservation",
        model=Reservation,
        line_path="sales_order_line",
        related=("warehouse",),
        history_model=Reservation,
        history_of="pk",
        entry=_reservation_entry,
    ),
    TraceStage(
        title="Shipment",
        model=ShipmentLine,
        line_path="sales_order_line",
        related=("shipment__pick_wave", "shipment__corrected_by"),
        history_model=Shipment,
        history_of="shipment_id",
        entry=_shipment_entry,
    ),
    TraceStage(
        title="AP invoice",
        model=APInvoiceLine,
        line_path="purchase_order_line__sales_order_line",
        related=("invoice",),
        history_model=APInvoice,
        history_of="invoice_id",
        entry=_ap_invoice_entry,
    ),
    TraceStage(
        title="AR invoice",
        model=ARInvoiceLine,
        line_path="sales_order_line",
        related=("invoice", "reinvoice_of__memo"),
        history_model=ARInvoice,
        history_of="invoice_id",
        entry=_ar_invoice_entry,
    ),
    TraceStage(
        title="AR credit memo",
        model=ARCreditMemoLine,
        line_path="invoice_line__sales_order_line",
        related=("memo__created_by", "invoice_line__invoice"),
        history_model=ARCreditMemo,
        history_of="memo_id",
        entry=_credit_memo_entry,
        optional=True,
    ),
]


def peg_trace(line: SalesOrderLine) -> PegTrace:
    """The whole chain behind one sales order line, with every document's history.

    ``line`` comes with its order, customer and item selected. One query per stage but the
    line's own and one for every history, whatever the number of receipts or invoices, and
    two more per split a split line's purchase order is looked up through.
    """
    reached = []
    for stage in PEG_TRACE_STAGES:
        rows, of_line = stage.rows(line)
        if stage.optional and not rows:
            continue
        reached.append((stage, rows, of_line, [getattr(row, stage.history_of) for row in rows]))
    histories = _histories([(stage.history_model, set(keys)) for stage, _, _, keys in reached])
    stages = []
    for (stage, rows, of_line, keys), history in zip(reached, histories, strict=True):
        entries = [stage.entry(row) for row in rows]
        for entry, key in zip(entries, keys, strict=True):
            entry.history = history.get(key, [])
            if of_line.pk != line.pk:
                entry.note += f"; Supplied {of_line}, which this line was split from"
        stages.append((stage.title, entries))
    [line_entry] = stages[0][1]  # the first stage is the line itself
    return PegTrace(line=line, stages=stages, periods=status_periods(line_entry.history))
