"""Changes after booking that reach across the steps: cancellations and the decisions
they leave to the buyer.

Lock order, the same as in every service of the cycle, so that two of them never wait
on each other in a circle: PO, PO lines, requisition lines, SO lines, on-hand balances (in
item order), then what belongs to one SO line alone (its supply order, its reservation).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from b2b_portal.errors import ValidationRefused, require_reason
from b2b_portal.permissions import require_business_unit, require_permission
from b2b_portal.transitions import apply_transition, stamp_history
from inventory.services import reservation_release
from orders.models import CANCELLABLE, LineStatus, SalesOrder, SalesOrderLine
from orders.services import validate_quantity
from processes.models import Trigger
from processes.services import process_run_queue
from procurement.models import (
    POLineStatus,
    POStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    RequisitionLine,
    RequisitionStatus,
    SupplyOrder,
    SupplyStatus,
)
from procurement.services import purchase_order_follow_lines
from shipping.models import ShipmentLine

from .exceptions import LineNotCancellable
from .models import BusinessException, ExceptionKind, ExceptionStatus, Resolution

NOT_SENT = (POStatus.DRAFT, POStatus.PENDING_APPROVAL)
CHANGEABLE = (
    LineStatus.ENTERED,
    LineStatus.BOOKED,
    LineStatus.BACKORDERED,
    LineStatus.AWAITING_SUPPLY,
    LineStatus.AWAITING_SHIPPING,
)
ACKNOWLEDGEABLE = (ExceptionKind.SUPPLIER_CHANGE, ExceptionKind.SURPLUS_STOCK)


@dataclass
class _Chain:
    """A sales order line and the supply pegged to it, locked in the cycle's order."""

    line: SalesOrderLine
    purchase_order: PurchaseOrder | None
    po_line: PurchaseOrderLine | None
    requisition_lines: list[RequisitionLine]


def _lock_chain(sales_order_line: SalesOrderLine) -> _Chain:
    po_line = (
        PurchaseOrderLine.objects.filter(sales_order_line=sales_order_line)
        .exclude(status=POLineStatus.CANCELLED)
        .first()
    )
    purchase_order = None
    if po_line is not None:
        purchase_order = PurchaseOrder.objects.select_for_update().get(pk=po_line.purchase_order_id)
        po_line = PurchaseOrderLine.objects.select_for_update().get(pk=po_line.pk)
    requisition_lines = list(
        RequisitionLine.objects.select_for_update()
        .filter(sales_order_line=sales_order_line)
        .exclude(status=RequisitionStatus.CANCELLED)
        .order_by("pk")
    )
    line = (
        SalesOrderLine.objects.select_for_update()
        .select_related("order", "item")
        .get(pk=sales_order_line.pk)
    )
    return _Chain(line, purchase_order, po_line, requisition_lines)


def _locked_supply_orders(line: SalesOrderLine) -> list[SupplyOrder]:
    """The line's live supply orders; locked after its stock, as they belong to it alone."""
    return list(
        SupplyOrder.objects.select_for_update()
        .filter(sales_order_line=line)
        .exclude(status=SupplyStatus.CANCELLED)
        .order_by("pk")
    )


@transaction.atomic
def sales_order_line_cancel(*, actor, sales_order_line: SalesOrderLine, reason: str):
    """Cancel a line at whatever stage its supply has reached, leaving nothing live
    pegged to it:

    - no requisition yet: the supply order is cancelled;
    - a requisition line only: it is cancelled too;
    - a PO line not yet sent to the supplier: cancelled (and the PO, if nothing live is
      left on it);
    - a PO line the supplier holds: unpegged, and an exception asks the buyer to cancel
      with the supplier or keep the goods as stock;
    - received goods: the reservation is released, the stock becomes ordinary on-hand.

    A shipped line, or one released to a shipment, cannot be cancelled.
    """
    require_permission(actor, "orders.change_salesorderline", "cancel order lines")
    require_business_unit(actor, sales_order_line.order.business_unit_id)
    reason = require_reason(reason, "the line is cancelled")
    chain = _lock_chain(sales_order_line)
    line, po_line = chain.line, chain.po_line
    if line.status == LineStatus.CANCELLED:
        raise LineNotCancellable(f"{line} is already cancelled.")
    if line.status not in CANCELLABLE:
        raise LineNotCancellable(
            f"{line} is {line.get_status_display()}: a shipped line cannot be cancelled."
        )
    shipment_line = ShipmentLine.objects.filter(sales_order_line=line).first()
    if shipment_line is not None:
        raise LineNotCancellable(
            f"{line} is released on shipment {shipment_line.shipment}: it cannot be cancelled."
        )
    if line.reserved_quantity:
        reservation_release(actor=actor, sales_order_line=line)
    supply_orders = _locked_supply_orders(line)
    if po_line is not None:
        _release_supply(
            actor=actor, purchase_order=chain.purchase_order, po_line=po_line, line=line
        )
    for requisition_line in chain.requisition_lines:
        apply_transition(requisition_line, "cancel", actor=actor, reason=f"{line} cancelled")
        requisition_line.save()
    for supply_order in supply_orders:
        apply_transition(supply_order, "cancel", actor=actor, reason=f"{line} cancelled")
        supply_order.save()
    line.at_risk = False
    apply_transition(line, "cancel", actor=actor, reason=f"cancelled: {reason}", reason_text=reason)
    line.save()
    return line


def _release_supply(*, actor, purchase_order, po_line, line) -> None:
    """The PO side of a cancellation (see ``sales_order_line_cancel``)."""
    if purchase_order.status in NOT_SENT:
        apply_transition(po_line, "cancel", actor=actor, reason=f"{line} cancelled")
        po_line.save()
        purchase_order_follow_lines(
            actor=actor, purchase_order=purchase_order, reason=f"{line} cancelled"
        )
        return
    po_line.sales_order_line = None
    po_line.unpegged_from = line
    po_line.late_since = None  # no demand is at risk any more
    stamp_history(po_line, actor=actor, reason=f"unpegged: {line} cancelled")
    po_line.save()
    if po_line.status == POLineStatus.OPEN:
        _raise(
            actor=actor,
            kind=ExceptionKind.SUPPLIER_CANCELLATION,
            po_line=po_line,
            line=line,
            quantity=po_line.open_quantity,
            message=(
                f"{line} was cancelled; {purchase_order.supplier} still has "
                f"{po_line.open_quantity} on {po_line} to deliver. Cancel with the supplier "
                "or keep the goods as stock."
            ),
        )


@transaction.atomic
def sales_order_cancel(*, actor, sales_order: SalesOrder, reason: str) -> list[SalesOrderLine]:
    """Cancel every line of the order that can still be cancelled, by the rules above."""
    require_permission(actor, "orders.change_salesorderline", "cancel order lines")
    require_business_unit(actor, sales_order.business_unit_id)
    lines = [line for line in sales_order.lines.order_by("pk") if line.status in CANCELLABLE]
    if not lines:
        raise LineNotCancellable(f"{sales_order} has no line left that can be cancelled.")
    # Take every lock of every line up front, in the cycle's order: cancelling line by
    # line would lock the second line's PO after the first line's stock balance.
    po_lines = PurchaseOrderLine.objects.filter(sales_order_line__in=lines).exclude(
        status=POLineStatus.CANCELLED
    )
    list(PurchaseOrder.objects.select_for_update().filter(lines__in=po_lines).order_by("pk"))
    list(po_lines.select_for_update().order_by("pk"))
    list(
        RequisitionLine.objects.select_for_update()
        .filter(sales_order_line__in=lines)
        .order_by("pk")
    )
    list(
        SalesOrderLine.objects.select_for_update()
        .filter(pk__in=[line.pk for line in lines])
        .order_by("pk")
    )
    return [
        sales_order_line_cancel(actor=actor, sales_order_line=line, reason=reason) for line in lines
    ]


def _locked_open_exception(exception: BusinessException, kind: str) -> BusinessException:
    exception = BusinessException.objects.select_for_update().get(pk=exception.pk)
    if exception.status != ExceptionStatus.OPEN:
        raise ValidationRefused(f"{exception} is already {exception.get_status_display()}.")
    if exception.kind != kind:
        raise ValidationRefused(
            f"{exception} is a {exception.get_kind_display().lower()}: it is not resolved this way."
        )
    return exception


def _resolve(exception, *, actor, resolution: str, reason: str) -> BusinessException:
    apply_transition(
        exception,
        "resolve",
        actor=actor,
        reason=f"{Resolution(resolution).label}: {reason}",
        resolution=resolution,
        reason_text=reason,
        by=actor,
        when=timezone.now(),
    )
    exception.save()
    return exception


@transaction.atomic
def exception_cancel_with_supplier(*, actor, exception: BusinessException, reason: str):
    """The supplier agreed to cancel what it had not delivered: the PO line is cancelled
    (or closed at what was received), and the PO with it when nothing live is left."""
    require_permission(actor, "procurement.change_purchaseorder", "change purchase orders")
    require_business_unit(actor, exception.business_unit_id)
    reason = require_reason(reason, "the supply is cancelled")
    purchase_order = PurchaseOrder.objects.select_for_update().get(
        lines=exception.purchase_order_line_id
    )
    po_line = PurchaseOrderLine.objects.select_for_update().get(pk=exception.purchase_order_line_id)
    exception = _locked_open_exception(exception, ExceptionKind.SUPPLIER_CANCELLATION)
    if po_line.status == POLineStatus.OPEN:
        if po_line.received_quantity:
            po_line.quantity = po_line.received_quantity
            apply_transition(po_line, "close_for_receiving", actor=actor, reason=reason)
        else:
            apply_transition(po_line, "cancel", actor=actor, reason=reason)
        po_line.save()
    purchase_order_follow_lines(actor=actor, purchase_order=purchase_order, reason=reason)
    return _resolve(
        exception, actor=actor, resolution=Resolution.CANCELLED_WITH_SUPPLIER, reason=reason
    )


@transaction.atomic
def exception_keep_as_stock(*, actor, exception: BusinessException, reason: str):
    """Keep the order with the supplier: what arrives becomes ordinary stock."""
    require_permission(actor, "procurement.change_purchaseorder", "change purchase orders")
    require_business_unit(actor, exception.business_unit_id)
    reason = require_reason(reason, "the goods are kept")
    exception = _locked_open_exception(exception, ExceptionKind.SUPPLIER_CANCELLATION)
    return _resolve(exception, actor=actor, resolution=Resolution.KEPT_AS_STOCK, reason=reason)


# --- Splitting a line -----------------------------------------------------------------


def _split_line(line: SalesOrderLine, *, quantity, actor, reason: str) -> SalesOrderLine:
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
    split.save()
    return split


def _queue_progress(order: SalesOrder, *, actor) -> None:
    process_run_queue(
        process="progress_order",
        parameters={"sales_order": order.pk, "business_unit": order.business_unit_id},
        trigger=Trigger.EVENT,
        requested_by=actor,
    )


class Remainder:
    """What happens to the quantity a supplier will not deliver."""

    RESUPPLY = "resupply"
    CANCEL = "cancel"
    CHOICES = [(RESUPPLY, "Back to Awaiting Supply (new supply order)"), (CANCEL, "Cancel it")]


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
    purchase_order = PurchaseOrder.objects.select_for_update().get(
        pk=purchase_order_line.purchase_order_id
    )
    po_line = PurchaseOrderLine.objects.select_for_update().get(pk=purchase_order_line.pk)
    if po_line.status != POLineStatus.OPEN or po_line.sales_order_line_id is None:
        raise ValidationRefused(f"{po_line} is not an open, pegged line: nothing to close short.")
    if not po_line.received_quantity:
        raise ValidationRefused(f"Nothing was received on {po_line}: cancel it instead.")
    line = (
        SalesOrderLine.objects.select_for_update()
        .select_related("order")
        .get(pk=po_line.sales_order_line_id)
    )
    short = po_line.quantity - po_line.received_quantity

    po_line.quantity = po_line.received_quantity
    po_line.late_since = None
    apply_transition(po_line, "close_for_receiving", actor=actor, reason=f"closed short: {reason}")
    po_line.save()
    purchase_order_follow_lines(actor=actor, purchase_order=purchase_order, reason="closed short")
    supply_order = SupplyOrder.objects.select_for_update().get(
        requisition_lines__purchase_order_lines=po_line
    )
    supply_order.quantity = po_line.quantity
    apply_transition(supply_order, "mark_received", actor=actor, reason="closed short")
    supply_order.save()

    split = _split_line(line, quantity=short, actor=actor, reason=reason)
    line.quantity -= short
    line.at_risk = False
    apply_transition(line, "mark_reserved", actor=actor, reason=f"split: {short} to {split}")
    line.save()
    if remainder == Remainder.CANCEL:
        apply_transition(
            split, "cancel", actor=actor, reason=f"cancelled: {reason}", reason_text=reason
        )
        split.save()
    else:
        _queue_progress(line.order, actor=actor)
    return split


# --- Quantity changes -----------------------------------------------------------------


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
    chain = _lock_chain(sales_order_line)
    line, purchase_order, po_line = chain.line, chain.purchase_order, chain.po_line
    if line.status not in CHANGEABLE:
        raise ValidationRefused(
            f"{line} is {line.get_status_display()}: its quantity can no longer change."
        )
    if ShipmentLine.objects.filter(sales_order_line=line).exists():
        raise ValidationRefused(f"{line} is released for shipping: its quantity cannot change.")
    if quantity == line.quantity:
        raise ValidationRefused(f"{line} already has quantity {quantity}.")
    with_supplier = purchase_order is not None and purchase_order.status not in NOT_SENT
    if with_supplier and quantity > line.quantity:
        split = _split_line(line, quantity=quantity - line.quantity, actor=actor, reason=reason)
        _queue_progress(line.order, actor=actor)
        return split
    change = f"quantity changed: {reason}"
    if with_supplier:
        _reduce_supply_with_supplier(
            actor=actor,
            line=line,
            po_line=po_line,
            quantity=quantity,
            purchase_order=purchase_order,
            reason=reason,
        )
    else:
        excess = line.reserved_quantity - (quantity - line.shipped_quantity)
        if excess > 0:  # a stocked line gives back what it no longer needs
            reservation_release(actor=actor, sales_order_line=line, quantity=excess)
        for document in [po_line, *chain.requisition_lines]:
            if document is not None:
                document.quantity = quantity
                stamp_history(document, actor=actor, reason=change)
                document.save()
    received = po_line is not None and po_line.status == POLineStatus.CLOSED_FOR_RECEIVING
    for supply_order in _locked_supply_orders(line):
        supply_order.quantity = quantity
        if received and supply_order.status == SupplyStatus.ORDERED:
            apply_transition(supply_order, "mark_received", actor=actor, reason=change)
        else:
            stamp_history(supply_order, actor=actor, reason=change)
        supply_order.save()
    line.quantity = quantity
    _restate_line(line, actor=actor, reason=change)
    line.save()
    if line.status == LineStatus.BACKORDERED:
        _queue_progress(line.order, actor=actor)
    return line


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


def _reduce_supply_with_supplier(*, actor, line, po_line, quantity, purchase_order, reason):
    """A decrease once the supplier holds the PO (see sales_order_line_change_quantity)."""
    received = po_line.received_quantity
    surplus = received - quantity
    if surplus > 0:
        reservation_release(actor=actor, sales_order_line=line, quantity=surplus)
        _raise(
            actor=actor,
            kind=ExceptionKind.SURPLUS_STOCK,
            po_line=po_line,
            line=line,
            quantity=surplus,
            message=f"{line} was reduced to {quantity}: {surplus} received for it is now "
            "ordinary stock.",
        )
    reduced_by = po_line.quantity - max(quantity, received)
    po_line.quantity = max(quantity, received)
    if po_line.status == POLineStatus.OPEN and po_line.is_fully_received():
        apply_transition(po_line, "close_for_receiving", actor=actor, reason=reason)
        po_line.late_since, line.at_risk = None, False
    else:
        stamp_history(po_line, actor=actor, reason=f"quantity changed: {reason}")
    po_line.save()
    if reduced_by > 0:
        _raise(
            actor=actor,
            kind=ExceptionKind.SUPPLIER_CHANGE,
            po_line=po_line,
            line=line,
            quantity=reduced_by,
            message=f"{po_line} was reduced by {reduced_by} because {line} changed: tell "
            f"{purchase_order.supplier}.",
        )
    purchase_order_follow_lines(actor=actor, purchase_order=purchase_order, reason=reason)


def _raise(*, actor, kind, po_line, line, quantity, message) -> BusinessException:
    """Open an exception of ``kind`` on ``po_line``, or add to the one already open (a
    second decrease before the buyer has acted)."""
    exception = (
        BusinessException.objects.select_for_update()
        .filter(kind=kind, purchase_order_line=po_line, status=ExceptionStatus.OPEN)
        .first()
    )
    if exception is None:
        exception = BusinessException(
            business_unit_id=line.order.business_unit_id,
            kind=kind,
            purchase_order_line=po_line,
            sales_order_line=line,
        )
    exception.quantity += quantity
    exception.message = (
        message
        if exception.quantity == quantity
        else (f"{message} ({exception.quantity} in all since the buyer last acted.)")
    )
    stamp_history(exception, actor=actor, reason="raised")
    exception.save()
    return exception


@transaction.atomic
def exception_acknowledge(*, actor, exception: BusinessException, reason: str):
    """The buyer has told the supplier of a PO change, or taken note of surplus stock."""
    require_permission(actor, "procurement.change_purchaseorder", "change purchase orders")
    require_business_unit(actor, exception.business_unit_id)
    reason = require_reason(reason, "the exception is closed")
    exception = BusinessException.objects.select_for_update().get(pk=exception.pk)
    if exception.status != ExceptionStatus.OPEN or exception.kind not in ACKNOWLEDGEABLE:
        raise ValidationRefused(f"{exception} cannot be acknowledged.")
    return _resolve(exception, actor=actor, resolution=Resolution.ACKNOWLEDGED, reason=reason)
