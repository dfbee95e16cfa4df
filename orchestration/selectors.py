"""Read queries across the whole chain: the home dashboard's counts, and what the change
pages and the Exceptions work area show beside ``work_area.open_exceptions`` (the Peg
Trace has a module of its own, ``peg_trace``).

Each function issues a fixed number of queries whatever the number of rows, so the pages
built on them stay constant in queries.
"""

from datetime import timedelta

from django.db import models
from django.db.models import Count, Exists, OuterRef

from invoicing.models import APInvoice, APStatus, ARInvoice, ARStatus
from orders.models import HEADER_STATUS_RANKING, LineStatus, SalesOrder, SalesOrderLine
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


def line_pipeline(units) -> list[tuple[str, int]]:
    """(status label, number of sales order lines) for every line status, in one query."""
    counts = dict(
        SalesOrderLine.objects.filter(order__business_unit__in=units)
        .values_list("status")
        .annotate(lines=Count("pk"))
        .order_by()
    )
    return [(status.label, counts.get(status, 0)) for status in HEADER_STATUS_RANKING]


# The dashboard's late-supply chart: (label, fewest days past the promised date).
LATE_SUPPLY_AGES = [("1-7 days late", 1), ("8-30 days late", 8), ("Over 30 days late", 31)]


def late_supply_by_age(units, today) -> list[tuple[str, int]]:
    """(age label, number of lines at risk) by how long their supplier is past the promised
    date of the open PO line that supplies them, in one query."""
    ages = [*(days for _, days in LATE_SUPPLY_AGES[1:]), None]
    counts = PurchaseOrderLine.objects.filter(
        sales_order_line__order__business_unit__in=units,
        sales_order_line__at_risk=True,
        status=POLineStatus.OPEN,
    ).aggregate(
        **{
            f"age{index}": Count(
                "sales_order_line",
                distinct=True,
                filter=models.Q(promised_date__lte=today - timedelta(days=days))
                & (
                    models.Q()
                    if until is None
                    else models.Q(promised_date__gt=today - timedelta(days=until))
                ),
            )
            for index, ((_, days), until) in enumerate(zip(LATE_SUPPLY_AGES, ages, strict=True))
        }
    )
    return [(label, counts[f"age{index}"]) for index, (label, _) in enumerate(LATE_SUPPLY_AGES)]


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
