"""Read queries on sales orders and their lines that processes and pages share."""

from collections import Counter
from decimal import Decimal

from django.db import models
from django.db.models import Case, Count, Min, Q, Value, When
from django.db.models.functions import Coalesce

from processes.batching import filter_by

from .models import HEADER_STATUS_RANKING, LineStatus, SalesOrder


def with_header_status(orders):
    """Annotate ``header_rank`` and ``header_status`` (its label) on sales orders: the
    model's ``status`` rule in SQL, so that lists filter and sort by it without loading the
    lines."""
    rank = Case(
        *[
            When(lines__status=status, then=Value(rank))
            for rank, status in enumerate(HEADER_STATUS_RANKING)
        ],
        output_field=models.IntegerField(),
    )
    label = Case(
        *[
            When(header_rank=rank, then=Value(status.label))
            for rank, status in enumerate(HEADER_STATUS_RANKING)
        ],
        output_field=models.CharField(),
    )
    entered = HEADER_STATUS_RANKING.index(LineStatus.ENTERED)
    return orders.annotate(header_rank=Coalesce(Min(rank), Value(entered))).annotate(
        header_status=label
    )


def filter_header_status(orders, status: str):
    """Orders annotated by ``with_header_status`` whose header status is ``status``."""
    return orders.filter(header_rank=HEADER_STATUS_RANKING.index(status))


def order_lines_filtered(
    lines, *, business_unit=None, sales_order=None, date_from=None, date_to=None
):
    """Narrow order lines by a run's parameters: unit, order, ordered-date range."""
    return filter_by(
        lines,
        order__business_unit=business_unit,
        order=sales_order,
        order__ordered_date__gte=date_from,
        order__ordered_date__lte=date_to,
    )


def orders_with_customer_po(*, customer, customer_po_number: str):
    """The customer's orders already carrying this customer PO number (a second order for
    the same PO is usually the first one entered twice)."""
    return SalesOrder.objects.filter(
        customer=customer, customer_po_number__iexact=customer_po_number.strip()
    ).order_by("pk")


def recent_identical_order(*, user, customer, lines, since):
    """The latest order ``user`` entered for ``customer`` since ``since`` with exactly these
    lines (``lines``: (item, quantity) pairs, in any order, repeats counted), or None; one
    query. Chromium's Back brings Create Order again with a new token, so Save once more
    would enter the same order a second time."""
    wanted = Counter((getattr(item, "pk", item), Decimal(quantity)) for item, quantity in lines)
    if not wanted:
        return None
    counts = {
        f"same_{i}": Count("lines", filter=Q(lines__item_id=item, lines__quantity=quantity))
        for i, (item, quantity) in enumerate(wanted)
    }
    return (
        SalesOrder.objects.filter(created_by=user, customer=customer, created_at__gte=since)
        .annotate(line_count=Count("lines"), **counts)
        .filter(
            line_count=sum(wanted.values()),
            **{name: wanted[key] for name, key in zip(counts, wanted, strict=True)},
        )
        .order_by("-pk")
        .first()
    )
