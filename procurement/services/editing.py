"""The buyer's edits of a Draft purchase order: a line's price, promised date and quantity,
and the note to the supplier.

Only a Draft PO changes: once submitted, the approver (then the supplier) holds what was
sent. A line's quantity stays within its pegged sales order line's open quantity, so the
PO never buys more than the demand it exists for.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from b2b_portal.errors import TransitionRefused, ValidationRefused
from b2b_portal.permissions import require_permission
from b2b_portal.transitions import stamp_history
from catalog.units import require_business_unit
from orders.editing import NOTHING_CHANGED, describe_changes
from orders.services import validate_price, validate_quantity

from ..locks import purchase_order_lines_for_update, purchase_orders_for_update
from ..models import POLineStatus, POStatus, PurchaseOrder, PurchaseOrderLine

NOT_DRAFT = "{po} is {status}: only a Draft purchase order can be changed."
LINE_NOT_OPEN = "{line} is {status}: it cannot be changed."
ABOVE_DEMAND = (
    "Quantity {quantity} is more than the {open} still open on the pegged sales order line "
    "{so_line}."
)
PROMISED_IN_PAST = "The promised date cannot be before today."


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


def _within_demand(line: PurchaseOrderLine, quantity: Decimal) -> Decimal:
    """The quantity, if the pegged demand still needs it (unpegged: no more than now)."""
    quantity = validate_quantity(quantity)
    so_line = line.sales_order_line
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
    """Change a Draft PO line's price, promised date or quantity; history says what."""
    _locked_draft(actor, line.purchase_order)
    line = (
        purchase_order_lines_for_update().select_related("sales_order_line__order").get(pk=line.pk)
    )
    if line.status != POLineStatus.OPEN:
        raise TransitionRefused(LINE_NOT_OPEN.format(line=line, status=line.get_status_display()))
    if promised_date < timezone.localdate():
        raise ValidationRefused(PROMISED_IN_PAST)
    values = {
        "unit_price": validate_price(unit_price),
        "promised_date": promised_date,
        "quantity": _within_demand(line, quantity),
    }
    reason = describe_changes(
        line, values, {"unit_price": "price", "promised_date": "promised"}, prefix="line changed"
    )
    stamp_history(line, actor=actor, reason=reason)
    line.save()
    return line


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
