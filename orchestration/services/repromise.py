"""Re-promising a sales order line: the clerk tells the customer a new scheduled ship date
(the supplier cannot make the old one, or the customer agreed to a later one)."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from b2b_portal.errors import TransitionRefused, ValidationRefused, require_reason
from b2b_portal.permissions import require_permission
from b2b_portal.transitions import stamp_history
from catalog.units import require_business_unit
from orders.editing import NOTHING_CHANGED
from orders.locks import sales_order_lines_for_update
from orders.models import SalesOrderLine
from orders.promising import supply_need_by
from procurement.locks import supply_orders_for_update
from procurement.models import POLineStatus, PurchaseOrderLine, SupplyStatus
from procurement.services.jeopardy import jeopardy_reassess

NOT_REPROMISABLE = "{line} is {status}: only a booked line not yet shipped can be re-promised."
PROMISE_IN_PAST = "The new scheduled ship date cannot be in the past."


@transaction.atomic
def sales_order_line_repromise(
    *, actor, line: SalesOrderLine, scheduled_ship_date: date, reason: str
) -> SalesOrderLine:
    """Give ``line`` a new scheduled ship date with the reason; history keeps the old one.
    Its jeopardy follows at once, and a supply not yet sourced is needed by the new date."""
    require_permission(actor, "orders.change_salesorderline", "re-promise order lines")
    require_business_unit(actor, line.order.business_unit_id)
    reason = require_reason(reason, "the line is re-promised")
    # The SO line alone is locked: the PO line is only read (its own writers lock it before
    # the SO line and reassess after us).
    line = sales_order_lines_for_update().select_related("order__warehouse").get(pk=line.pk)
    if not line.may_be_repromised:
        raise TransitionRefused(
            NOT_REPROMISABLE.format(line=line, status=line.get_status_display())
        )
    if scheduled_ship_date < timezone.localdate():
        raise ValidationRefused(PROMISE_IN_PAST)
    if scheduled_ship_date == line.scheduled_ship_date:
        raise ValidationRefused(NOTHING_CHANGED)
    before = line.scheduled_ship_date
    line.scheduled_ship_date = scheduled_ship_date
    was = f" from {before.isoformat()}" if before else ""
    stamp_history(
        line, actor=actor, reason=f"re-promised{was} to {scheduled_ship_date.isoformat()}: {reason}"
    )
    line.save(update_fields=["scheduled_ship_date", "updated_at"])
    _unsourced_supply_follows(line, actor=actor)
    po_lines = PurchaseOrderLine.objects.filter(sales_order_line=line, status=POLineStatus.OPEN)
    jeopardy_reassess(list(po_lines), actor=actor, reason="re-promised")
    line.refresh_from_db(fields=["days_late", "at_risk", "updated_at"])
    return line


def _unsourced_supply_follows(line: SalesOrderLine, *, actor) -> None:
    """A supply order not yet requisitioned is needed by the new date (its own: locked
    after the SO line); one already sourced keeps the date the supplier was asked for."""
    unsourced = supply_orders_for_update().filter(
        sales_order_line=line, status__in=(SupplyStatus.OPEN, SupplyStatus.EXCEPTION)
    )
    for supply_order in unsourced.annotate(need_by=supply_need_by("sales_order_line__")):
        if supply_order.need_by_date != supply_order.need_by:
            supply_order.need_by_date = supply_order.need_by
            stamp_history(supply_order, actor=actor, reason="the sales order line was re-promised")
            supply_order.save(update_fields=["need_by_date", "updated_at"])
