"""Read queries across the whole chain: the order header status in SQL, the home
dashboard's counts, the Peg Trace of one sales order line, and what the change pages and
the Exceptions work area show beside ``work_area.open_exceptions``.

Each function issues a fixed number of queries whatever the number of rows, so the pages
built on them stay constant in queries.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.db.models import Count, Exists, OuterRef

from b2b_portal.fields import format_quantity
from inventory.models import Reservation
from invoicing.models import APInvoice, APInvoiceLine, APStatus, ARInvoice, ARInvoiceLine, ARStatus
from orders.models import HEADER_STATUS_RANKING, LineStatus, SalesOrder, SalesOrderLine
from procurement.models import (
    POLineStatus,
    POStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    RequisitionLine,
    RequisitionStatus,
    SupplyOrder,
)
from receiving.models import Receipt, ReceiptLine
from shipping.models import Shipment, ShipmentLine, ShipmentStatus
from shipping.selectors import lines_awaiting_release

from .models import BusinessException, ExceptionStatus

# The home dashboard -----------------------------------------------------------------


def line_pipeline(units) -> list[tuple[str, int]]:
    """(status label, number of sales order lines) for every line status, in one query."""
    counts = dict(
        SalesOrderLine.objects.filter(order__business_unit__in=units)
        .values_list("status")
        .annotate(lines=Count("pk"))
        .order_by()
    )
    return [(status.label, counts.get(status, 0)) for status in HEADER_STATUS_RANKING]


def requisition_lines_awaiting_po(units):
    return RequisitionLine.objects.filter(
        requisition__business_unit__in=units, status=RequisitionStatus.APPROVED
    )


def purchase_orders_pending_approval(units):
    return PurchaseOrder.objects.filter(business_unit__in=units, status=POStatus.PENDING_APPROVAL)


def purchase_orders_open(units):
    return PurchaseOrder.objects.filter(business_unit__in=units, status=POStatus.OPEN)


def lines_awaiting_pick_release(units):
    """Fully reserved lines that no pick wave has released yet."""
    return lines_awaiting_release(business_units=units)


def shipments_released(units):
    return Shipment.objects.filter(business_unit__in=units, status=ShipmentStatus.RELEASED)


def ap_invoices_draft(units):
    return APInvoice.objects.filter(business_unit__in=units, status=APStatus.DRAFT)


def ap_invoices_on_hold(units):
    return APInvoice.objects.filter(business_unit__in=units, status=APStatus.ON_HOLD)


def lines_shipped_not_invoiced(units):
    return SalesOrderLine.objects.filter(order__business_unit__in=units, status=LineStatus.SHIPPED)


def ar_invoices_draft(units):
    return ARInvoice.objects.filter(business_unit__in=units, status=ARStatus.DRAFT)


def sales_orders_entered(units):
    """Orders whose header is Entered, that is with at least one line still to book."""
    entered_lines = SalesOrderLine.objects.filter(order=OuterRef("pk"), status=LineStatus.ENTERED)
    return SalesOrder.objects.filter(business_unit__in=units).filter(Exists(entered_lines))


# The Peg Trace -----------------------------------------------------------------------


@dataclass
class TraceEntry:
    """One document of the chain as the trace shows it."""

    number: str
    status: str
    quantity: Decimal | None
    document: models.Model
    view_permission: str
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


def _histories(model, pks) -> dict[int, list]:
    """Every history row of these documents, oldest first, in one query."""
    rows: dict[int, list] = {}
    queryset = (
        model.history.filter(id__in=set(pks))
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    for row in queryset:
        rows.setdefault(row.id, []).append(row)
    return rows


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


def peg_trace(line: SalesOrderLine) -> PegTrace:
    """The whole chain behind one sales order line, with every document's history.

    ``line`` comes with its order, customer and item selected. At most 17 queries (8 kinds
    of documents, 9 histories) whatever the number of receipts or invoices; none for a
    kind of document the line has not reached.
    """
    order = line.order
    supply_orders = list(SupplyOrder.objects.filter(sales_order_line=line).order_by("pk"))
    requisition_lines = list(
        RequisitionLine.objects.filter(sales_order_line=line)
        .select_related("requisition", "supplier")
        .order_by("pk")
    )
    po_lines = list(
        PurchaseOrderLine.objects.filter(sales_order_line=line)
        .select_related("purchase_order__supplier")
        .order_by("pk")
    )
    receipt_lines = list(
        ReceiptLine.objects.filter(sales_order_line=line).select_related("receipt").order_by("pk")
    )
    reservations = list(
        Reservation.objects.filter(sales_order_line=line).select_related("warehouse")
    )
    shipment_lines = list(
        ShipmentLine.objects.filter(sales_order_line=line)
        .select_related("shipment__pick_wave")
        .order_by("pk")
    )
    ap_lines = list(
        APInvoiceLine.objects.filter(purchase_order_line__sales_order_line=line)
        .select_related("invoice")
        .order_by("pk")
    )
    ar_lines = list(
        ARInvoiceLine.objects.filter(sales_order_line=line).select_related("invoice").order_by("pk")
    )

    line_history = _histories(SalesOrderLine, [line.pk]).get(line.pk, [])
    supply_history = _histories(SupplyOrder, [s.pk for s in supply_orders])
    requisition_history = _histories(RequisitionLine, [r.pk for r in requisition_lines])
    po_history = _histories(PurchaseOrder, [p.purchase_order_id for p in po_lines])
    receipt_history = _histories(Receipt, [r.receipt_id for r in receipt_lines])
    reservation_history = _histories(Reservation, [r.pk for r in reservations])
    shipment_history = _histories(Shipment, [s.shipment_id for s in shipment_lines])
    ap_history = _histories(APInvoice, [a.invoice_id for a in ap_lines])
    ar_history = _histories(ARInvoice, [a.invoice_id for a in ar_lines])

    stages = [
        (
            "Sales order line",
            [
                TraceEntry(
                    number=str(line),
                    status=line.get_status_display(),
                    quantity=line.quantity,
                    document=order,
                    view_permission="orders.view_salesorder",
                    dates=[
                        ("Ordered", order.ordered_date),
                        ("Requested", line.requested_date),
                        ("Booked", order.booked_at),
                    ],
                    note=f"{line.item.number} for {order.customer.name}",
                    history=line_history,
                )
            ],
        ),
        (
            "Supply order",
            [
                TraceEntry(
                    number=supply.number,
                    status=supply.get_status_display(),
                    quantity=supply.quantity,
                    document=supply,
                    view_permission="procurement.view_supplyorder",
                    dates=[("Need by", supply.need_by_date)],
                    note=supply.exception_reason,
                    history=supply_history.get(supply.pk, []),
                )
                for supply in supply_orders
            ],
        ),
        (
            "Requisition",
            [
                TraceEntry(
                    number=str(requisition_line),
                    status=requisition_line.get_status_display(),
                    quantity=requisition_line.quantity,
                    document=requisition_line.requisition,
                    view_permission="procurement.view_requisition",
                    dates=[("Need by", requisition_line.need_by_date)],
                    note=f"Supplier {requisition_line.supplier.name}",
                    history=requisition_history.get(requisition_line.pk, []),
                )
                for requisition_line in requisition_lines
            ],
        ),
        (
            "Purchase order",
            [
                TraceEntry(
                    number=str(po_line),
                    status=po_line.purchase_order.get_status_display(),
                    quantity=po_line.quantity,
                    document=po_line.purchase_order,
                    view_permission="procurement.view_purchaseorder",
                    dates=[
                        ("Submitted", po_line.purchase_order.submitted_at),
                        ("Approved", po_line.purchase_order.approved_at),
                        ("Promised", po_line.promised_date),
                    ],
                    note=(
                        f"Line {po_line.get_status_display()}, received "
                        f"{format_quantity(po_line.received_quantity)}; supplier "
                        f"{po_line.purchase_order.supplier.name}"
                    ),
                    history=po_history.get(po_line.purchase_order_id, []),
                )
                for po_line in po_lines
            ],
        ),
        (
            "Receipt",
            [
                TraceEntry(
                    number=receipt_line.receipt.number,
                    status="Received",
                    quantity=receipt_line.quantity,
                    document=receipt_line.receipt,
                    view_permission="receiving.view_receipt",
                    dates=[("Received", receipt_line.receipt.received_at)],
                    note=f"Reserved {format_quantity(receipt_line.reserved_quantity)}",
                    history=receipt_history.get(receipt_line.receipt_id, []),
                )
                for receipt_line in receipt_lines
            ],
        ),
        (
            "Reservation",
            [
                TraceEntry(
                    number=f"Reservation in {reservation.warehouse.code}",
                    status="Held" if reservation.quantity else "Issued",
                    quantity=reservation.quantity,
                    document=reservation,
                    view_permission="inventory.view_reservation",
                    dates=[("Reserved", reservation.created_at)],
                    history=reservation_history.get(reservation.pk, []),
                )
                for reservation in reservations
            ],
        ),
        (
            "Shipment",
            [
                TraceEntry(
                    number=shipment_line.shipment.number,
                    status=shipment_line.shipment.get_status_display(),
                    quantity=shipment_line.quantity,
                    document=shipment_line.shipment,
                    view_permission="shipping.view_shipment",
                    dates=[
                        ("Released", shipment_line.shipment.created_at),
                        ("Shipped", shipment_line.shipment.shipped_at),
                    ],
                    note=f"Pick wave {shipment_line.shipment.pick_wave.number}",
                    history=shipment_history.get(shipment_line.shipment_id, []),
                )
                for shipment_line in shipment_lines
            ],
        ),
        (
            "AP invoice",
            [
                TraceEntry(
                    number=ap_line.invoice.number,
                    status=ap_line.invoice.get_status_display(),
                    quantity=ap_line.quantity,
                    document=ap_line.invoice,
                    view_permission="invoicing.view_apinvoice",
                    dates=[
                        ("Invoice date", ap_line.invoice.invoice_date),
                        ("Validated", ap_line.invoice.validated_at),
                        ("Paid", ap_line.invoice.paid_at),
                    ],
                    note=f"Supplier invoice {ap_line.invoice.supplier_invoice_number}",
                    history=ap_history.get(ap_line.invoice_id, []),
                )
                for ap_line in ap_lines
            ],
        ),
        (
            "AR invoice",
            [
                TraceEntry(
                    number=ar_line.invoice.number,
                    status=ar_line.invoice.get_status_display(),
                    quantity=ar_line.quantity,
                    document=ar_line.invoice,
                    view_permission="invoicing.view_arinvoice",
                    dates=[
                        ("Invoice date", ar_line.invoice.invoice_date),
                        ("Completed", ar_line.invoice.completed_at),
                    ],
                    history=ar_history.get(ar_line.invoice_id, []),
                )
                for ar_line in ar_lines
            ],
        ),
    ]
    return PegTrace(line=line, stages=stages, periods=status_periods(line_history))


# Changes after booking and the Exceptions work area -----------------------------------


def lines_at_risk(units):
    """Sales order lines whose pegged supply is late (flagged by the Late Supply process),
    oldest requested date first, each with its open PO line (``open_po_lines``, prefetched:
    one query for the rows shown)."""
    return (
        SalesOrderLine.objects.filter(order__business_unit__in=units, at_risk=True)
        .select_related("order__customer", "item")
        .prefetch_related(
            models.Prefetch(
                "purchase_order_lines",
                queryset=PurchaseOrderLine.objects.filter(status=POLineStatus.OPEN)
                .select_related("purchase_order")
                .order_by("pk"),
                to_attr="open_po_lines",
            )
        )
        .order_by("requested_date", "pk")
    )


def live_po_line(line: SalesOrderLine) -> PurchaseOrderLine | None:
    """The PO line that supplies ``line`` now (any but a cancelled one), with its PO."""
    return (
        PurchaseOrderLine.objects.filter(sales_order_line=line)
        .exclude(status=POLineStatus.CANCELLED)
        .select_related("purchase_order__supplier")
        .first()
    )


def exceptions_raised_for(lines, since) -> list:
    """The open exceptions raised (or added to) for these lines since ``since``: what a
    change just asked of the buyer."""
    return list(
        BusinessException.objects.filter(
            sales_order_line__in=lines, status=ExceptionStatus.OPEN, updated_at__gte=since
        ).order_by("pk")
    )
