"""The buyer's edits of a Draft purchase order: a line's price, promised date and quantity,
and the note to the supplier.

Only a Draft PO changes: once submitted, the approver (then the supplier) holds what was
sent. A line's quantity stays within its pegged sales order line's open quantity, so the
PO never buys more than the demand it exists for; its requisition line and supply order
move with it (``check_consistency`` compares them), and a decrease splits the sales order
line as a close short does: the PO line keeps supplying its part, the rest becomes a new
line with a supply of its own (Progress Order is queued), never a demand left unsupplied.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from b2b_portal.errors import TransitionRefused, ValidationRefused
from b2b_portal.fields import format_quantity
from b2b_portal.permissions import require_permission
from b2b_portal.transitions import stamp_history
from catalog.units import require_business_unit
from orders.editing import NOTHING_CHANGED, describe_changes
from orders.locks import sales_order_lines_for_update
from orders.models import SalesOrderLine
from orders.services import progress_order_queue, validate_price, validate_quantity
from orders.splits import sales_order_line_split

from ..locks import (
    purchase_order_lines_for_update,
    purchase_orders_for_update,
    requisition_lines_for_update,
    supply_orders_for_update,
)
from ..models import POLineStatus, POStatus, PurchaseOrder, PurchaseOrderLine
from ..totals import purchase_orders_retotal
from .jeopardy import jeopardy_reassess

NOT_DRAFT = "{po} is {status}: only a Draft purchase order can be changed."
LINE_NOT_OPEN = "{line} is {status}: it cannot be changed."
ABOVE_DEMAND = (
    "Quantity {quantity} is more than the {open} still open on the pegged sales order line "
    "{so_line}."
)
PROMISED_IN_PAST = "The promised date cannot be before today."
SPLIT_MEANWHILE = (
    "Another change to {order} added a line at the same moment: look at the PO again and retry."
)


def _locked_draft(actor, purchase_order: PurchaseOrder) -> PurchaseOrder:
    """Check role and unit, lock the PO and refuse unless it is Draft."""
    require_permission(actor, "procurement.change_purchaseorder", "change purchase orders")
    require_business_unit(actor, purchase_order.business_unit_id)
    purchase_order = purchase_orders_for_update().get(pk=purchase_order.pk)
    if purchase_order.status != POStatus.DRAFT:
        raise TransitionRefused(
            NOT_DRAFT.format(po=purchase_order, status=purchase_order.get_status_display())
        )
    return purchase_order


def _within_demand(line: PurchaseOrderLine, so_line: SalesOrderLine | None, quantity) -> Decimal:
    """The quantity, if the pegged demand still needs it (unpegged: no more than now)."""
    quantity = validate_quantity(quantity)
    limit = line.quantity if so_line is None else so_line.quantity - so_line.shipped_quantity
    if quantity > limit:
        raise ValidationRefused(
            ABOVE_DEMAND.format(quantity=quantity, open=limit, so_line=so_line or "(none)")
        )
    return quantity


@transaction.atomic
def purchase_order_line_update(
    *, actor, line: PurchaseOrderLine, unit_price: Decimal, promised_date: date, quantity: Decimal
) -> PurchaseOrderLine:
    """Change a Draft PO line's price, promised date or quantity; history says what. The
    requisition line and supply order take the new quantity; a pegged line's demand beyond
    it is split off to a new sales order line (``SalesOrderLine.split_from``)."""
    _locked_draft(actor, line.purchase_order)
    # Then PO line, requisition line, SO line, supply order: the cycle's locking order.
    line = purchase_order_lines_for_update().get(pk=line.pk)
    if line.status != POLineStatus.OPEN:
        raise TransitionRefused(LINE_NOT_OPEN.format(line=line, status=line.get_status_display()))
    if promised_date < timezone.localdate():
        raise ValidationRefused(PROMISED_IN_PAST)
    requisition_line = requisition_lines_for_update().get(pk=line.requisition_line_id)
    so_line = None
    if line.sales_order_line_id is not None:
        so_line = (
            sales_order_lines_for_update().select_related("order").get(pk=line.sales_order_line_id)
        )
    values = {
        "unit_price": validate_price(unit_price),
        "promised_date": promised_date,
        "quantity": _within_demand(line, so_line, quantity),
    }
    reason = describe_changes(
        line, values, {"unit_price": "price", "promised_date": "promised"}, prefix="line changed"
    )
    stamp_history(line, actor=actor, reason=reason)
    line.save()
    follows = f"{line} quantity changed to {format_quantity(line.quantity)}"
    if requisition_line.quantity != line.quantity:
        requisition_line.quantity = line.quantity
        stamp_history(requisition_line, actor=actor, reason=follows)
        requisition_line.save(update_fields=["quantity", "updated_at"])
    if so_line is not None:
        supply_order_id = requisition_line.supply_order_id
        _demand_follows(line, so_line, supply_order_id, actor=actor, reason=follows)
        jeopardy_reassess([line], actor=actor, reason=f"{line} promised for {promised_date}")
    purchase_orders_retotal([line.purchase_order_id])
    return line


def _demand_follows(line, so_line, supply_order_id: int, *, actor, reason: str) -> None:
    """The pegged line keeps what the PO line now buys; the rest of its open demand is a new
    line, supplied again by Progress Order. Its supply order (its own: locked last) says the
    sales order line's new quantity."""
    rest = so_line.quantity - so_line.shipped_quantity - line.quantity
    if rest > 0:
        refusal = TransitionRefused(SPLIT_MEANWHILE.format(order=so_line.order))
        split = sales_order_line_split(
            so_line, quantity=rest, actor=actor, reason=reason, refusal=refusal
        )
        so_line.quantity -= rest
        split_reason = f"split: {format_quantity(rest)} to {split}: {reason}"
        stamp_history(so_line, actor=actor, reason=split_reason)
        so_line.save(update_fields=["quantity", "updated_at"])
        progress_order_queue(so_line.order, actor=actor)
    supply_order = supply_orders_for_update().get(pk=supply_order_id)
    if supply_order.quantity != so_line.quantity:
        supply_order.quantity = so_line.quantity
        stamp_history(supply_order, actor=actor, reason=reason)
        supply_order.save(update_fields=["quantity", "updated_at"])


@transaction.atomic
def purchase_order_note_set(*, actor, purchase_order: PurchaseOrder, note: str) -> PurchaseOrder:
    """Write the note the supplier reads with the PO (empty clears it)."""
    purchase_order = _locked_draft(actor, purchase_order)
    note = note.strip()
    if len(note) > 1000:
        raise ValidationRefused("The note to the supplier can have at most 1,000 characters.")
    if note == purchase_order.supplier_note:
        raise ValidationRefused(NOTHING_CHANGED)
    purchase_order.supplier_note = note
    stamp_history(purchase_order, actor=actor, reason="note to the supplier set")
    purchase_order.save(update_fields=["supplier_note", "updated_at"])
    return purchase_order
