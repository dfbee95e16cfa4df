"""Changing a booked line's quantity: its supply follows, or tells the buyer what the
supplier must be told."""

from django.db import transaction

from b2b_portal.errors import ValidationRefused, require_reason
from b2b_portal.fields import format_quantity, round_money
from b2b_portal.permissions import require_permission
from b2b_portal.transitions import apply_transition, stamp_history
from catalog.units import require_business_unit
from inventory.services import reservation_release
from orders.models import LineStatus, SalesOrderLine
from orders.services import (
    progress_order_queue,
    validate_line_amount,
    validate_order_total,
    validate_quantity,
)
from procurement.models import POLineStatus, SupplyStatus
from procurement.services import purchase_order_follow_lines
from procurement.totals import purchase_orders_retotal
from shipping.models import ShipmentLine

from ..locks import SupplyChain, supply_chain_lock, supply_orders_of_line_lock
from ..models import ExceptionKind
from .business_exceptions import business_exception_open
from .cancellation import NOT_SENT
from .line_split import sales_order_line_split

CHANGEABLE = (
    LineStatus.ENTERED,
    LineStatus.BOOKED,
    LineStatus.BACKORDERED,
    LineStatus.AWAITING_SUPPLY,
    LineStatus.AWAITING_SHIPPING,
)


@transaction.atomic
def sales_order_line_change_quantity(
    *, actor, sales_order_line: SalesOrderLine, quantity, reason: str
) -> SalesOrderLine:
    """Change a booked line's quantity; its supply follows.

    - Before the supplier has the PO, the supply order, requisition line and PO line take
      the new quantity.
    - Once the supplier has it, an increase becomes a new line for the difference, pegged
      to a supply of its own (one live PO line per order line stays true); a decrease
      reduces the PO line and asks the buyer to tell the supplier; below what was already
      received, the surplus is released to ordinary stock and reported.
    Returns the line whose quantity grew (the new line for an increase after approval).
    """
    require_permission(actor, "orders.change_salesorderline", "change order lines")
    require_business_unit(actor, sales_order_line.order.business_unit_id)
    reason = require_reason(reason, "the quantity changes")
    quantity = validate_quantity(quantity)
    chain = supply_chain_lock(sales_order_line)
    line = chain.line
    _refuse_unless_changeable(line, quantity)
    _refuse_over_limits(line, quantity)
    purchase_order = chain.purchase_order
    with_supplier = purchase_order is not None and purchase_order.status not in NOT_SENT
    if with_supplier and quantity > line.quantity:
        split = sales_order_line_split(
            line, quantity=quantity - line.quantity, actor=actor, reason=reason
        )
        progress_order_queue(line.order, actor=actor)
        return split
    change = f"quantity changed: {reason}"
    if with_supplier:
        _reduce_supply_with_supplier(actor=actor, chain=chain, quantity=quantity, reason=reason)
    else:
        _resize_supply_not_sent(actor=actor, chain=chain, quantity=quantity, reason=change)
    _resize_supply_orders(actor=actor, chain=chain, quantity=quantity, reason=change)
    line.quantity = quantity
    _restate_line(line, actor=actor, reason=change)
    line.save()
    if line.status == LineStatus.BACKORDERED:
        progress_order_queue(line.order, actor=actor)
    return line


def _refuse_unless_changeable(line: SalesOrderLine, quantity) -> None:
    if line.status not in CHANGEABLE:
        raise ValidationRefused(
            f"{line} is {line.get_status_display()}: its quantity can no longer change."
        )
    if ShipmentLine.objects.live().filter(sales_order_line=line).exists():
        raise ValidationRefused(f"{line} is released for shipping: its quantity cannot change.")
    if quantity == line.quantity:
        raise ValidationRefused(f"{line} already has quantity {format_quantity(quantity)}.")


def _refuse_over_limits(line: SalesOrderLine, quantity) -> None:
    """The line at its new quantity (one line, or split in two once the supplier has the
    PO) keeps within the limit per line, and the order within a document's total."""
    currency = line.order.currency_code
    amount = round_money(quantity * line.unit_selling_price)
    validate_line_amount(amount, currency)
    others = SalesOrderLine.objects.filter(order_id=line.order_id).exclude(pk=line.pk)
    amounts = [other.amount for other in others.exclude(status=LineStatus.CANCELLED)]
    validate_order_total([*amounts, amount], currency)


def _resize_supply_not_sent(*, actor, chain: SupplyChain, quantity, reason: str) -> None:
    """Before the supplier has the PO: the PO line and requisition lines take the new
    quantity; a stocked line gives back what it no longer needs."""
    line = chain.line
    excess = line.reserved_quantity - (quantity - line.shipped_quantity)
    if excess > 0:
        reservation_release(actor=actor, sales_order_line=line, quantity=excess)
    for document in [chain.po_line, *chain.requisition_lines]:
        if document is not None:
            document.quantity = quantity
            stamp_history(document, actor=actor, reason=reason)
            document.save()
    if chain.po_line is not None:
        purchase_orders_retotal([chain.po_line.purchase_order_id])


def _resize_supply_orders(*, actor, chain: SupplyChain, quantity, reason: str) -> None:
    """The line's supply orders take the new quantity; one whose PO line is now fully
    received is Received."""
    po_line = chain.po_line
    received = po_line is not None and po_line.status == POLineStatus.CLOSED_FOR_RECEIVING
    for supply_order in supply_orders_of_line_lock(chain.line):
        supply_order.quantity = quantity
        if received and supply_order.status == SupplyStatus.ORDERED:
            apply_transition(supply_order, "mark_received", actor=actor, reason=reason)
        else:
            stamp_history(supply_order, actor=actor, reason=reason)
        supply_order.save()


def _restate_line(line: SalesOrderLine, *, actor, reason: str) -> None:
    """After a quantity change: a line now fully served moves on; a stocked line that
    needs more than it holds waits as Backordered."""
    fully_reserved = line.is_fully_reserved()
    if line.status in (LineStatus.AWAITING_SUPPLY, LineStatus.BACKORDERED) and fully_reserved:
        apply_transition(line, "mark_reserved", actor=actor, reason=reason)
    elif line.status == LineStatus.AWAITING_SHIPPING and not fully_reserved:
        apply_transition(line, "backorder", actor=actor, reason=reason)
    else:
        stamp_history(line, actor=actor, reason=reason)


def _reduce_supply_with_supplier(*, actor, chain: SupplyChain, quantity, reason: str) -> None:
    """A decrease once the supplier holds the PO (see sales_order_line_change_quantity)."""
    line, po_line, purchase_order = chain.line, chain.po_line, chain.purchase_order
    received = po_line.received_quantity
    surplus = received - quantity
    if surplus > 0:
        reservation_release(actor=actor, sales_order_line=line, quantity=surplus)
        business_exception_open(
            actor=actor,
            kind=ExceptionKind.SURPLUS_STOCK,
            po_line=po_line,
            line=line,
            quantity=surplus,
            message=f"{line} was reduced to {format_quantity(quantity)}: "
            f"{format_quantity(surplus)} received for it is now "
            "ordinary stock.",
        )
    reduced_by = po_line.quantity - max(quantity, received)
    po_line.quantity = max(quantity, received)
    if po_line.status == POLineStatus.OPEN and po_line.is_fully_received():
        apply_transition(po_line, "close_for_receiving", actor=actor, reason=reason)
        po_line.late_since = None
        line.leave_jeopardy()
    else:
        stamp_history(po_line, actor=actor, reason=f"quantity changed: {reason}")
    po_line.save()
    if reduced_by > 0:
        business_exception_open(
            actor=actor,
            kind=ExceptionKind.SUPPLIER_CHANGE,
            po_line=po_line,
            line=line,
            quantity=reduced_by,
            message=f"{po_line} was reduced by {reduced_by} because {line} changed: tell "
            f"{purchase_order.supplier}.",
        )
    purchase_order_follow_lines(actor=actor, purchase_order=purchase_order, reason=reason)
