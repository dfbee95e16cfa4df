"""Read queries across the whole chain: the home dashboard's counts, and what the change
pages and the Exceptions work area show beside ``work_area.open_exceptions`` (the Peg
Trace has a module of its own, ``peg_trace``).

Each function issues a fixed number of queries whatever the number of rows, so the pages
built on them stay constant in queries.
"""

from django.db import models
from django.db.models import Count, Exists, OuterRef

from invoicing.models import APInvoice, APStatus, ARInvoice, ARStatus
from orders.models import PIPELINE, LineStatus, SalesOrder, SalesOrderLine
from procurement.models import (
    POLineStatus,
    POStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    RequisitionLine,
    RequisitionStatus,
)
from shipping.models import Shipment, ShipmentStatus
from shipping.selectors import lines_awaiting_release

from .models import BusinessException, ExceptionStatus

# The home dashboard -----------------------------------------------------------------


# Every line status but Closed and Cancelled: the work still to do. Finished lines are
# history, which grows for ever; the dashboard counts only these (docs/decisions.md).
OPEN_STATUSES = [status for status in PIPELINE if status != LineStatus.CLOSED]


def open_lines(unit_ids):
    """The open lines of the units ``unit_ids`` (None: of every unit), found from the lines'
    status index. With every unit there is no unit filter: the count is an index-only scan.
    Otherwise a join to the units' orders, which the planner hashes when most lines are
    open and turns into key lookups when few are (docs/benchmarks.md, home at 50,000)."""
    lines = SalesOrderLine.objects.filter(status__in=OPEN_STATUSES)
    if unit_ids is None:
        return lines
    return lines.filter(order__business_unit_id__in=unit_ids)


def line_pipeline(unit_ids) -> dict[str, int]:
    """{status: number of open sales order lines} of the units ``unit_ids`` (None: every
    unit), in one query; a status without lines is missing."""
    return dict(open_lines(unit_ids).values_list("status").annotate(lines=Count("pk")).order_by())


# The dashboard's jeopardy chart: (label, fewest days late). A line flagged by Late Supply
# while its ship date is still ahead is at risk 0 days late.
DAYS_LATE_BUCKETS = [
    ("0 days late", 0),
    ("1-7 days late", 1),
    ("8-30 days late", 8),
    ("Over 30 days late", 31),
]


def lines_at_risk_by_days_late(units) -> list[tuple[str, int]]:
    """(bucket label, number of lines at risk) by the line's days late (its supply's
    expected date against its scheduled ship date), in one query."""
    fewest = [days for _, days in DAYS_LATE_BUCKETS]
    ranges = zip(fewest, [*fewest[1:], None], strict=True)
    counts = lines_at_risk(units).aggregate(
        **{
            f"bucket{index}": Count("pk", filter=_days_late_from(low, until))
            for index, (low, until) in enumerate(ranges)
        }
    )
    return [(label, counts[f"bucket{index}"]) for index, (label, _) in enumerate(DAYS_LATE_BUCKETS)]


def _days_late_from(low: int, until: int | None) -> models.Q:
    """``low`` days late or more, and fewer than ``until`` (None: no end)."""
    late = models.Q(days_late__gte=low)
    return late if until is None else late & models.Q(days_late__lt=until)


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


# Changes after booking and the Exceptions work area -----------------------------------


def lines_at_risk(units):
    """Sales order lines at risk: their supply is expected after their scheduled ship date,
    or the Late Supply process found it past its promise; most days late first, then the
    oldest requested date, each with its open PO line (``open_po_lines``, prefetched:
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
        .order_by("-days_late", "requested_date", "pk")
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
