"""The locking queryset of sales order lines, the same for every caller (Saleor's lock_objects).

It takes only the line rows (``of=("self",)``: the order, item or customer joined by a filter
or ``select_related()`` stay free, so master-data edits never wait behind a booking), in pk
order, so that two services locking overlapping lines queue instead of waiting in a circle.
The order across tables is in docs/architecture.md, "Locking order". Callers filter the
queryset and say why they lock.
"""

from django.db.models import QuerySet

from .models import SalesOrderLine


def sales_order_lines_for_update(*, skip_locked: bool = False) -> QuerySet[SalesOrderLine]:
    """``skip_locked`` for releases and batches: a line another caller holds is left to it."""
    lines = SalesOrderLine.objects.select_for_update(of=("self",), skip_locked=skip_locked)
    return lines.order_by("pk")
