"""The locking queryset of sales order lines, the same for every caller (Saleor's lock_objects).

It takes only the line rows (``of=("self",)``: the order, item or customer joined by a filter
or ``select_related()`` stay free, so master-data edits never wait behind a booking), in pk
order, so that two services locking overlapping lines queue instead of waiting in a circle.
The order across tables is in docs/architecture.md, "Locking order". Callers filter the
queryset and say why they lock.
"""

from django.db import connection
from django.db.models import QuerySet

from .models import SalesOrderLine


def sales_order_lines_for_update(*, skip_locked: bool = False) -> QuerySet[SalesOrderLine]:
    """``skip_locked`` for releases and batches: a line another caller holds is left to it."""
    lines = SalesOrderLine.objects.select_for_update(of=("self",), skip_locked=skip_locked)
    return lines.order_by("pk")


# The first key of the advisory locks Order Import takes on customers (the second is the
# customer's id): no other code takes advisory locks.
CUSTOMER_PO_LOCK = 1


def customer_pos_lock(customer_ids) -> None:
    """Imports naming the same customers' PO numbers one at a time, until the transaction
    ends: the second reads the first's orders once they commit, so a PO number sent twice
    at the same instant is still made once. A PostgreSQL advisory lock per customer, in id
    order; no customer row is locked, so customer edits never wait. SQLite's IMMEDIATE
    transactions already run one at a time."""
    ids = sorted(set(customer_ids))
    if not ids or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # unnest walks the sorted array in order, so the locks are taken in id order.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, (id %% 2147483647)::int) FROM unnest(%s) AS id",
            [CUSTOMER_PO_LOCK, ids],
        )
