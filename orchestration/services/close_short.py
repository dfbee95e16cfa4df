"""Closing a PO line short: the supplier will send no more than it did."""

from django.db import transaction

from b2b_portal.errors import ValidationRefused, require_reason
from b2b_portal.permissions import require_permission
from b2b_portal.transitions import apply_transition
from catalog.units import require_business_unit
from orders.locks import sales_order_lines_for_update
from orders.services import progress_order_queue
from procurement.locks import (
    purchase_order_lines_for_update,
    purchase_orders_for_update,
    supply_orders_for_update,
)
from procurement.models import POLineStatus, PurchaseOrderLine
from procurement.services import purchase_order_follow_lines

from .line_split import sales_order_line_split


class Remainder:
    """What happens to the quantity a supplier will not deliver."""

    RESUPPLY = "resupply"
    CANCEL = "cancel"
    CHOICES = [(RESUPPLY, "Back to Awaiting Supply (new supply order)"), (CANCEL, "Cancel it")]


def _locked_pegged_po_line(purchase_order_line: PurchaseOrderLine):
    """The PO and the PO line, locked in the cycle's order, refused unless the line is
    open, pegged and partly received."""
    # A receipt on the line waits, or this waits for it: what was received is final here.
    purchase_order = purchase_orders_for_update().get(pk=purchase_order_line.purchase_order_id)
    po_line = purchase_order_lines_for_update().get(pk=purchase_order_line.pk)
    if po_line.status != POLineStatus.OPEN or po_line.sales_order_line_id is None:
        raise ValidationRefused(f"{po_line} is not an open, pegged line: nothing to close short.")
    if not po_line.received_quantity:
        raise ValidationRefused(f"Nothing was received on {po_line}: cancel it instead.")
    return purchase_order, po_line


@transaction.atomic
def purchase_order_line_close_short(
    *, actor, purchase_order_line: PurchaseOrderLine, remainder: str, reason: str
):
    """The supplier short-shipped and will send no more: the PO line is closed for
    receiving at what arrived. Its sales order line is split: the received part goes on to
    shipping and billing; the rest becomes a new line that goes back to Awaiting Supply
    with a supply of its own (``resupply``) or is cancelled (``cancel``).
    Returns the new line."""
    require_permission(actor, "procurement.change_purchaseorder", "change purchase orders")
    require_business_unit(actor, purchase_order_line.purchase_order.business_unit_id)
    reason = require_reason(reason, "the line is closed short")
    if remainder not in (Remainder.RESUPPLY, Remainder.CANCEL):
        raise ValidationRefused("Choose whether the rest is supplied again or cancelled.")
    purchase_order, po_line = _locked_pegged_po_line(purchase_order_line)
    # A cancellation or change of the pegged line queues behind the close.
    line = (
        sales_order_lines_for_update().select_related("order").get(pk=po_line.sales_order_line_id)
    )
    short = po_line.quantity - po_line.received_quantity

    po_line.quantity = po_line.received_quantity
    po_line.late_since = None
    apply_transition(po_line, "close_for_receiving", actor=actor, reason=f"closed short: {reason}")
    po_line.save()
    purchase_order_follow_lines(actor=actor, purchase_order=purchase_order, reason="closed short")
    # The line's supply order belongs to it alone: locked last, as everywhere.
    supply_order = supply_orders_for_update().get(requisition_lines__purchase_order_lines=po_line)
    supply_order.quantity = po_line.quantity
    apply_transition(supply_order, "mark_received", actor=actor, reason="closed short")
    supply_order.save()

    split = sales_order_line_split(line, quantity=short, actor=actor, reason=reason)
    line.quantity -= short
    line.leave_jeopardy()
    apply_transition(line, "mark_reserved", actor=actor, reason=f"split: {short} to {split}")
    line.save()
    if remainder == Remainder.CANCEL:
        apply_transition(
            split, "cancel", actor=actor, reason=f"cancelled: {reason}", reason_text=reason
        )
        split.save()
    else:
        progress_order_queue(line.order, actor=actor)
    return split
