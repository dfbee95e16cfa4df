"""Splitting a sales order line: what a close short or a quantity increase leaves to a
supply of its own."""

from b2b_portal.integrity import refused_on_conflict
from b2b_portal.transitions import apply_transition
from orders.models import SalesOrder, SalesOrderLine
from processes.models import Trigger
from processes.services import process_run_queue

from ..exceptions import ORDER_CHANGED_MEANWHILE, ChangedMeanwhile


def sales_order_line_split(line: SalesOrderLine, *, quantity, actor, reason: str) -> SalesOrderLine:
    """A new booked line for ``quantity`` of the same item and price, remembering the line
    it came from; it is pegged on its own when Progress Order takes it. The caller has
    locked ``line`` and reduces its quantity."""
    last = line.order.lines.order_by("-line_number").values_list("line_number", flat=True)[0]
    split = SalesOrderLine(
        order=line.order,
        line_number=last + 1,
        item=line.item,
        quantity=quantity,
        unit_selling_price=line.unit_selling_price,
        requested_date=line.requested_date,
        split_from=line,
    )
    apply_transition(split, "book", actor=actor, reason=f"split from {line}: {reason}")
    # Two lines of one order split at once would both take the next line number.
    refusal = ChangedMeanwhile(ORDER_CHANGED_MEANWHILE.format(order=line.order))
    with refused_on_conflict({"so_line_number_unique": refusal}):
        split.save()
    return split


def progress_order_queue(order: SalesOrder, *, actor) -> None:
    """Progress Order for this order now: a split line gets its supply within seconds."""
    process_run_queue(
        process="progress_order",
        parameters={"sales_order": order.pk, "business_unit": order.business_unit_id},
        trigger=Trigger.EVENT,
        requested_by=actor,
    )
