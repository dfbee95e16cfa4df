"""A purchase order's stored totals (``lines_total``, ``line_count``): what its live lines
add up to, for the list page to read instead of summing each listed PO's lines. Written
after the PO lines are: by their creation, a draft line's edit, a quantity change before
the supplier has the PO, and ``purchase_orders_follow_lines``, which every cancellation,
close short, receipt and AP validation passes.

Derived columns, like ``ShipmentLine.is_billed``: written by one set-based UPDATE, out of
the PO's history; ``orchestration.consistency.purchase_order_totals_stored`` reports a PO
whose columns differ from its lines.
"""

from decimal import Decimal

from django.db.models import Count, Sum, Value
from django.db.models.functions import Coalesce

from b2b_portal.queries import AMOUNT, any_of, line_amount, lines_aggregate

from .models import PurchaseOrder, PurchaseOrderLine
from .selectors import LIVE_PO_LINES


def purchase_order_totals() -> dict:
    """Each PO's totals as query expressions over its live lines, by stored field."""

    def live(aggregate):
        return lines_aggregate(
            PurchaseOrderLine, aggregate, document="purchase_order", condition=LIVE_PO_LINES
        )

    return {
        "lines_total": Coalesce(live(Sum(line_amount())), Value(Decimal(0)), output_field=AMOUNT),
        "line_count": Coalesce(live(Count("pk")), 0),
    }


def purchase_orders_retotal(purchase_order_ids) -> None:
    """Store the totals of the POs ``purchase_order_ids`` from their lines, in one UPDATE
    (a batch's POs at once); inside the caller's transaction, after its lines are written."""
    ids = list(purchase_order_ids)
    if ids:
        PurchaseOrder.objects.filter(pk__in=any_of(ids)).update(**purchase_order_totals())
