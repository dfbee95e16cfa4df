"""The date promised to the customer: a sales order line's scheduled ship date.

As Oracle schedules a Back-to-Back line: the later of the requested date and the earliest
the goods can arrive and leave again, today + the winning sourcing rule's lead time + the
warehouse's processing days. A stocked item (served from on-hand) needs only the processing
days. Supply is planned backwards from it: the supply order's need-by date is the scheduled
ship date less the processing days, and the PO line is promised for max(need-by, today +
lead time) as before (docs/promise-dates.md).
"""

from datetime import date, timedelta
from functools import cache

from django.db import connection
from django.db.models import F, IntegerField, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from b2b_portal.queries import DaysBefore
from catalog.models import Item, Warehouse
from procurement.selectors import winning_rules

# A day no order is booked on: ``lead_time``'s SQL is compiled once with it in place of
# the day, which each statement's parameters then give.
_ANY_DAY = date(1, 1, 1)


def lead_time(model, day: date, item: str = "item") -> RawSQL:
    """For ``annotate`` on a query of ``model``'s rows (not itself a subquery): the lead time
    in days of the winning sourcing rule (``winning_rules``) on ``day`` of the Back-to-Back
    item at ``item``, its path from ``model``, read by the statement that reads the rows; None
    when no rule can source the item yet (Generate puts its supply in Exception) or it is
    not Back-to-Back."""
    sql, params = _lead_time_sql(model, item, connection.vendor)
    # The parameters as compiled: a date prepared for the database (a string on SQLite).
    any_day, on_day = (connection.ops.adapt_datefield_value(d) for d in (_ANY_DAY, day))
    return RawSQL(sql, [on_day if param == any_day else param for param in params], IntegerField())


@cache
def _lead_time_sql(model, item: str, vendor: str) -> tuple[str, tuple]:
    """``lead_time``'s subquery compiled once per process (``vendor``: the SQL dialect):
    the ORM compiled its four joins for each booking in 0.84 ms, longer than reading the
    rules by a query of their own."""
    rules = winning_rules(_ANY_DAY).filter(item=OuterRef(item), item__back_to_back_enabled=True)
    outer = model.objects.all().query
    subquery = Subquery(rules.values("lead_time_days")[:1]).resolve_expression(outer)
    return subquery.as_sql(outer.get_compiler(connection=connection), connection)


def lead_times(items: list[Item], day: date) -> dict[int, int]:
    """``lead_time`` of each item that has one, by item pk (one query)."""
    read = Item.objects.filter(pk__in={item.pk for item in items}).annotate(
        lead=lead_time(Item, day, "pk")
    )
    return {pk: lead for pk, lead in read.values_list("pk", "lead") if lead is not None}


def scheduled_ship_dates(
    lines: list[tuple[Item, date]],
    *,
    warehouse: Warehouse,
    today: date | None = None,
    leads: dict[int, int] | None = None,
) -> list[date]:
    """The scheduled ship date of each (item, requested date), in the same order.
    ``leads``: the items' lead times on ``today``, read with a booking's lines or once for
    a batch of orders (an import), else read here (``lead_times``)."""
    today = today or timezone.localdate()
    if leads is None:
        leads = lead_times([item for item, _ in lines], today)
    return [
        max(
            requested,
            today + timedelta(days=leads.get(item.pk, 0) + warehouse.processing_days),
        )
        for item, requested in lines
    ]


def supply_need_by(line: str = "") -> Coalesce:
    """When the supply of a sales order line must arrive for it to ship on its scheduled
    date: that date less its warehouse's processing days; its requested date for a line
    booked before lines had one. A query expression, so that Progress Order computes it in
    the database for a whole chunk; ``line``: the path from the model queried to the line
    ("" on the line itself, "sales_order_line__" on its supply order)."""
    return Coalesce(
        DaysBefore(F(f"{line}scheduled_ship_date"), F(f"{line}order__warehouse__processing_days")),
        F(f"{line}requested_date"),
    )
