"""The date promised to the customer: a sales order line's scheduled ship date.

As Oracle schedules a Back-to-Back line: the later of the requested date and the earliest
the goods can arrive and leave again, today + the winning sourcing rule's lead time + the
warehouse's processing days. A stocked item (served from on-hand) needs only the processing
days. Supply is planned backwards from it: the supply order's need-by date is the scheduled
ship date less the processing days, and the PO line is promised for max(need-by, today +
lead time) as before (docs/promise-dates.md).
"""

from datetime import date, timedelta

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from b2b_portal.queries import DaysBefore
from catalog.models import Item, Warehouse
from procurement.exceptions import NoSourcingRule
from procurement.selectors import choose_rule, sourcing_rules_by_item


def lead_times(items: list[Item], day: date) -> dict[int, int]:
    """Lead time in days of each Back-to-Back item's winning rule on ``day`` (one query);
    an item no rule can source yet has none (Generate puts its supply in Exception)."""
    back_to_back = [item for item in items if item.back_to_back_enabled]
    rules = sourcing_rules_by_item(item.pk for item in back_to_back)
    leads = {}
    for item in back_to_back:
        try:
            leads[item.pk] = choose_rule(item, rules[item.pk], day).lead_time_days
        except NoSourcingRule:
            continue
    return leads


def scheduled_ship_dates(
    lines: list[tuple[Item, date]],
    *,
    warehouse: Warehouse,
    today: date | None = None,
    leads: dict[int, int] | None = None,
) -> list[date]:
    """The scheduled ship date of each (item, requested date), in the same order.
    ``leads``: ``lead_times`` of the items on ``today``, read once for a batch of orders
    (an import), else read here."""
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
