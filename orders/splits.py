"""Splitting a sales order line: one place for every split (close short, quantity
increase, partial ship confirm), so a split line always looks the same."""

from b2b_portal.errors import ApplicationError
from b2b_portal.integrity import refused_on_conflict
from b2b_portal.transitions import apply_transition

from .models import SalesOrderLine


def sales_order_line_split(
    line: SalesOrderLine, *, quantity, actor, reason: str, refusal: ApplicationError
) -> SalesOrderLine:
    """A new booked line for ``quantity`` of the same item and price, remembering the line
    it came from. The caller has locked ``line`` and reduces its quantity; ``refusal`` is
    raised when another split of the same order took the next line number meanwhile."""
    last = line.order.lines.order_by("-line_number").values_list("line_number", flat=True)[0]
    split = SalesOrderLine(
        order=line.order,
        line_number=last + 1,
        item=line.item,
        quantity=quantity,
        unit_selling_price=line.unit_selling_price,
        requested_date=line.requested_date,
        scheduled_ship_date=line.scheduled_ship_date,
        split_from=line,
    )
    apply_transition(split, "book", actor=actor, reason=f"split from {line}: {reason}")
    with refused_on_conflict({"so_line_number_unique": refusal}):
        split.save()
    return split
