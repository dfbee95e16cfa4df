"""Splitting a sales order line: what a close short or a quantity increase leaves to a
supply of its own."""

from orders.models import SalesOrderLine
from orders.splits import sales_order_line_split as split_line

from ..exceptions import ORDER_CHANGED_MEANWHILE, ChangedMeanwhile


def sales_order_line_split(line: SalesOrderLine, *, quantity, actor, reason: str) -> SalesOrderLine:
    """``orders.splits.sales_order_line_split``; the new line is pegged on its own when
    Progress Order takes it."""
    # Two lines of one order split at once would both take the next line number.
    refusal = ChangedMeanwhile(ORDER_CHANGED_MEANWHILE.format(order=line.order))
    return split_line(line, quantity=quantity, actor=actor, reason=reason, refusal=refusal)
