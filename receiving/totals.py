"""A receipt's stored totals (``line_count``, ``total_quantity``), for the list page to
read instead of summing each listed receipt's lines.

A receipt's lines are written once, with it (``receiving.services.receipt_create``), and
never change: the receipt is saved with the totals of the lines it is about to write.
These expressions recompute them from the lines, for
``orchestration.consistency.receipt_totals_stored``.
"""

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from b2b_portal.fields import ZERO
from b2b_portal.queries import lines_aggregate

from .models import ReceiptLine


def receipt_totals() -> dict:
    """Each receipt's totals as query expressions over its lines, by stored field."""

    def of_lines(aggregate):
        return lines_aggregate(ReceiptLine, aggregate, document="receipt")

    return {
        "line_count": Coalesce(of_lines(Count("pk")), 0),
        "total_quantity": Coalesce(of_lines(Sum("quantity")), ZERO),
    }
