"""Read queries of shipping that services and pages share."""

from datetime import date

from catalog.models import Customer, Warehouse
from orders.models import LineStatus, SalesOrder, SalesOrderLine
from processes.batching import filter_by

from .models import LIVE_SHIPMENT_STATUSES


def lines_awaiting_release(
    *,
    business_units,
    warehouse: Warehouse | None = None,
    customer: Customer | None = None,
    sales_order: SalesOrder | None = None,
    requested_by: date | None = None,
):
    """The fully reserved lines no live shipment holds (never released, or un-released or
    reversed since), narrowed by Pick Release's criteria (None means "all"): what
    ``pick_release`` takes, and what the page counts before the clerk presses Release."""
    lines = SalesOrderLine.objects.filter(
        status=LineStatus.AWAITING_SHIPPING,
        order__business_unit__in=business_units,
    ).exclude(shipment_lines__status__in=LIVE_SHIPMENT_STATUSES)
    return filter_by(
        lines,
        order__warehouse=warehouse,
        order__customer=customer,
        order=sales_order,
        requested_date__lte=requested_by,
    )
