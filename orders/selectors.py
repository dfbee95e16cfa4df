"""Read queries on sales orders and their lines that processes and pages share."""

import functools
from collections import Counter
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import Case, Count, Exists, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from processes.batching import filter_by

from .models import HEADER_STATUS_RANKING, LineStatus, SalesOrder, SalesOrderLine


def with_header_status(orders):
    """Annotate ``header_rank`` and ``header_status`` (its label) on sales orders: the
    model's ``status`` rule in SQL, so that lists show and sort by it without loading the
    lines. A correlated subquery on the order's lines (docs/decisions.md "Manage Orders at
    volume"): PostgreSQL computes it for the rows of the page only, not for every order."""
    rank = Case(
        *[
            When(status=status, then=Value(rank))
            for rank, status in enumerate(HEADER_STATUS_RANKING)
        ],
        output_field=models.IntegerField(),
    )
    lowest = (
        SalesOrderLine.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(lowest=Min(rank))
    )
    label = Case(
        *[
            When(lowest=rank, then=Value(status.label))
            for rank, status in enumerate(HEADER_STATUS_RANKING)
        ],
        output_field=models.CharField(),
    )
    # The label from the same subquery, not a CASE on ``header_rank`` (which would repeat
    # the subquery in every branch).
    return orders.annotate(
        header_rank=Coalesce(
            Subquery(lowest.values("lowest")),
            Value(HEADER_STATUS_RANKING.index(LineStatus.ENTERED)),
        ),
        header_status=Coalesce(
            Subquery(lowest.annotate(label=label).values("label")),
            Value(LineStatus.ENTERED.label),
        ),
    )


def with_line_count(orders):
    """Annotate ``line_count``, a correlated subquery like ``with_header_status``'s."""
    count = (
        SalesOrderLine.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(lines=Count("pk"))
        .values("lines")
    )
    return orders.annotate(line_count=Coalesce(Subquery(count), Value(0)))


@functools.cache
def _listed_order_columns() -> dict[str, RawSQL]:
    """``with_header_status`` and ``with_line_count``'s annotations as SQL, compiled once per
    process: compiling their CASE/WHEN subqueries was a third of Manage Orders' Python time
    per request (issue 13)."""
    query = with_line_count(with_header_status(SalesOrder.objects.all())).query
    compiler = query.get_compiler(DEFAULT_DB_ALIAS)
    columns = {}
    for name in ("header_rank", "header_status", "line_count"):
        annotation = query.annotations[name]
        sql, params = compiler.compile(annotation)
        columns[name] = RawSQL(sql, tuple(params), output_field=annotation.output_field)
    return columns


def with_listed_order_columns(orders):
    """``with_header_status`` and ``with_line_count`` for a list of orders, from SQL compiled
    once. The SQL names the orders' table: only for a query whose base table it is."""
    return orders.annotate(**_listed_order_columns())


def filter_header_status(orders, status: str):
    """Orders whose header status is ``status``: a line has it and none has a status ranked
    before it (Entered: also an order without lines). EXISTS on the lines' status index,
    so the filter reads no order's header rank."""
    rank = HEADER_STATUS_RANKING.index(status)
    lines = SalesOrderLine.objects.filter(order=OuterRef("pk"))
    has_it = Exists(lines.filter(status=status))
    if rank == HEADER_STATUS_RANKING.index(LineStatus.ENTERED):
        has_it |= ~Exists(lines)
    if rank:
        has_it &= ~Exists(lines.filter(status__in=HEADER_STATUS_RANKING[:rank]))
    return orders.filter(has_it)


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
