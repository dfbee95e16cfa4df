"""A receipt's stored totals (``line_count``, ``total_quantity``), for the list page to
read instead of summing each listed receipt's lines.

A receipt's lines are written once, with it (``receiving.services.receipt_create``), and
never change: the receipt is saved with the totals of the lines it is about to write.
These expressions recompute them from the lines, for the migration that filled them and
``orchestration.consistency.receipt_totals_stored``.
"""

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from b2b_portal.fields import ZERO
from b2b_portal.queries import lines_aggregate

from .models import ReceiptLine


def receipt_totals(line_model=ReceiptLine) -> dict:
    """Each receipt's totals as query expressions over its lines, by stored field;
    ``line_model``: a migration's historical model of the lines."""

    def of_lines(aggregate):
        return lines_aggregate(line_model, aggregate, document="receipt")

    return {
        "line_count": Coalesce(of_lines(Count("pk")), 0),
        "total_quantity": Coalesce(of_lines(Sum("quantity")), ZERO),
    }
