"""Edits of an order still being entered: header, lines added, changed, removed.

Only Entered lines change: once booked, the demand is firm and later steps (supply, pegs,
reservations) rely on it; changes then go through the orchestration services. Each edit
locks the order's lines (the booking locks the same rows, so an edit and a booking queue)
and writes a history row naming the user and what changed.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from b2b_portal.errors import TransitionRefused, ValidationRefused
from b2b_portal.history import history_value
from b2b_portal.permissions import require_permission
from b2b_portal.transitions import stamp_history
from catalog.models import Item
from catalog.units import require_business_unit

from .exceptions import InvalidOrderLine
from .locks import sales_order_lines_for_update
from .models import LineStatus, SalesOrder, SalesOrderLine
from .services import OrderLineInput, validate_line

NOT_ENTERED_ORDER = (
    "{order} is no longer Entered: only an order with no booked line can be changed."
)
NOT_ENTERED_LINE = "{line} is {status}: only an Entered line can be changed."
NOTHING_CHANGED = "Nothing was changed."
LAST_LINE = "An order needs at least one line: cancel the order instead."


def _locked_lines(actor, sales_order: SalesOrder) -> list[SalesOrderLine]:
    """Check role and unit, then lock every line of the order (pk order)."""
    require_permission(actor, "orders.change_salesorder", "change sales orders")
    require_business_unit(actor, sales_order.business_unit_id)
    return list(sales_order_lines_for_update().filter(order=sales_order).select_related("item"))


def is_editable(lines) -> bool:
    """An order is edited while it is Entered: some line Entered, none booked (cancelled
    lines aside)."""
    return statuses_editable({line.status for line in lines})


def statuses_editable(statuses: set[str]) -> bool:
    """``is_editable`` from the set of the lines' statuses: the order page offers the edits
    by this rule, reading the statuses in SQL rather than every line."""
    return LineStatus.ENTERED in statuses and statuses <= {LineStatus.ENTERED, LineStatus.CANCELLED}


def _require_entered_order(sales_order: SalesOrder, lines: list[SalesOrderLine]) -> None:
    if not is_editable(lines):
        raise TransitionRefused(NOT_ENTERED_ORDER.format(order=sales_order))


def _locked_entered_line(actor, line: SalesOrderLine) -> SalesOrderLine:
    lines = _locked_lines(actor, line.order)
    line = next(locked for locked in lines if locked.pk == line.pk)
    if line.status != LineStatus.ENTERED:
        raise TransitionRefused(
            NOT_ENTERED_LINE.format(line=line, status=line.get_status_display())
        )
    return line


def describe_changes(obj, values: dict, labels: dict, *, prefix: str) -> str:
    """Set ``values`` on ``obj`` and return the history reason saying which changed
    ("line changed: quantity 2 -> 3", cut to the 100 characters of the history column);
    refuse when none did, so that a history row always records a real change."""
    changes = []
    for field, new in values.items():
        old = getattr(obj, field)
        if old != new:
            label = labels.get(field, field.replace("_", " "))
            changes.append(
                f"{label} {history_value(obj, field, old)} -> {history_value(obj, field, new)}"
            )
            setattr(obj, field, new)
    if not changes:
        raise ValidationRefused(NOTHING_CHANGED)
    reason = f"{prefix}: {'; '.join(changes)}"
    return reason if len(reason) <= 100 else reason[:99] + "…"


@transaction.atomic
def sales_order_update(
    *, actor, sales_order: SalesOrder, customer_po_number: str, requested_date: date
) -> SalesOrder:
    """Change the customer PO and requested date of an Entered order; its entered lines
    take the new requested date, as they took the first one at entry."""
    lines = _locked_lines(actor, sales_order)
    _require_entered_order(sales_order, lines)
    sales_order = SalesOrder.objects.get(pk=sales_order.pk)
    values = {"customer_po_number": customer_po_number.strip(), "requested_date": requested_date}
    reason = describe_changes(
        sales_order, values, {"customer_po_number": "customer PO"}, prefix="order changed"
    )
    sales_order.full_clean()
    stamp_history(sales_order, actor=actor, reason=reason)
    sales_order.save()
    for line in lines:
        if line.status == LineStatus.ENTERED and line.requested_date != requested_date:
            line.requested_date = requested_date
            stamp_history(line, actor=actor, reason=reason)
            line.save(update_fields=["requested_date", "updated_at"])
    return sales_order


@transaction.atomic
def sales_order_line_add(
    *,
    actor,
    sales_order: SalesOrder,
    item: Item,
    quantity: Decimal,
    unit_selling_price=None,
    no_charge: bool = False,
) -> SalesOrderLine:
    """Add a line to an Entered order, validated as at entry (price empty: list price; a
    price of 0 only with ``no_charge``)."""
    lines = _locked_lines(actor, sales_order)
    _require_entered_order(sales_order, lines)
    item, quantity, price = validate_line(
        sales_order.business_unit, OrderLineInput(item, quantity, unit_selling_price, no_charge)
    )
    last = SalesOrderLine.objects.filter(order=sales_order).aggregate(n=Max("line_number"))["n"]
    line = SalesOrderLine(
        order=sales_order,
        line_number=(last or 0) + 1,
        item=item,
        quantity=quantity,
        unit_selling_price=price,
        requested_date=sales_order.requested_date,
    )
    stamp_history(line, actor=actor, reason=f"line added: {item.number} x {quantity}")
    line.save()
    return line


@transaction.atomic
def sales_order_line_update(
    *,
    actor,
    line: SalesOrderLine,
    item: Item,
    quantity: Decimal,
    unit_selling_price=None,
    no_charge: bool = False,
) -> SalesOrderLine:
    """Change an Entered line's item, quantity or price (empty price: the item's list price;
    a price of 0 only with ``no_charge``)."""
    line = _locked_entered_line(actor, line)
    item, quantity, price = validate_line(
        line.order.business_unit, OrderLineInput(item, quantity, unit_selling_price, no_charge)
    )
    values = {"quantity": quantity, "unit_selling_price": price, "item": item}
    reason = describe_changes(line, values, {"unit_selling_price": "price"}, prefix="line changed")
    stamp_history(line, actor=actor, reason=reason)
    line.save()
    return line


@transaction.atomic
def sales_order_line_remove(*, actor, line: SalesOrderLine) -> None:
    """Delete an Entered line (its history keeps a deletion row with user and reason); the
    order keeps at least one line."""
    line = _locked_entered_line(actor, line)
    others = SalesOrderLine.objects.filter(order=line.order_id).exclude(pk=line.pk)
    if not others.exclude(status=LineStatus.CANCELLED).exists():
        raise InvalidOrderLine(LAST_LINE)
    stamp_history(line, actor=actor, reason=f"line {line.line_number} removed")
    line.delete()
