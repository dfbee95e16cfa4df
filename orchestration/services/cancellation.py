"""Cancelling a sales order line, or a whole order, at whatever stage its supply has
reached, leaving nothing live pegged to it."""

from itertools import groupby

from django.db import transaction

from b2b_portal.errors import require_reason
from b2b_portal.permissions import require_permission
from b2b_portal.transitions import apply_transition, stamp_history
from catalog.units import require_business_unit
from inventory.locks import balances_lock
from inventory.models import Reservation
from inventory.services import reservation_release
from orders.locks import sales_order_lines_for_update
from orders.models import CANCELLABLE, LineStatus, SalesOrder, SalesOrderLine
from procurement.locks import (
    purchase_order_lines_for_update,
    purchase_orders_for_update,
    requisition_lines_for_update,
)
from procurement.models import POLineStatus, POStatus, PurchaseOrderLine
from procurement.services import purchase_order_follow_lines
from shipping.models import ShipmentLine

from ..exceptions import LineNotCancellable
from ..locks import supply_chain_lock, supply_orders_of_line_lock
from ..models import ExceptionKind
from .business_exceptions import business_exception_open

NOT_SENT = (POStatus.DRAFT, POStatus.PENDING_APPROVAL)


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
    chain = supply_chain_lock(sales_order_line)
    line, po_line = chain.line, chain.po_line
    _refuse_unless_cancellable(line)
    if line.reserved_quantity:
        reservation_release(actor=actor, sales_order_line=line)
    supply_orders = supply_orders_of_line_lock(line)
    if po_line is not None:
        _release_supply(
            actor=actor, purchase_order=chain.purchase_order, po_line=po_line, line=line
        )
    for document in [*chain.requisition_lines, *supply_orders]:
        apply_transition(document, "cancel", actor=actor, reason=f"{line} cancelled")
        document.save()
    line.at_risk = False
    apply_transition(line, "cancel", actor=actor, reason=f"cancelled: {reason}", reason_text=reason)
    line.save()
    return line


def _refuse_unless_cancellable(line: SalesOrderLine) -> None:
    if line.status == LineStatus.CANCELLED:
        raise LineNotCancellable(f"{line} is already cancelled.")
    if line.status not in CANCELLABLE:
        raise LineNotCancellable(
            f"{line} is {line.get_status_display()}: a shipped line cannot be cancelled."
        )
    shipment_line = ShipmentLine.objects.live().filter(sales_order_line=line).first()
    if shipment_line is not None:
        raise LineNotCancellable(
            f"{line} is released on shipment {shipment_line.shipment}: it cannot be cancelled."
        )


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
        business_exception_open(
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


def _lock_reserved_balances(lines) -> None:
    """The balances the lines hold reserved stock in, in item order, before any is moved
    (as a receipt or a shipment locks them): releasing line after line would take them in
    line order."""
    reservations = (
        Reservation.objects.filter(sales_order_line__in=lines, quantity__gt=0)
        .select_related("warehouse")
        .order_by("warehouse_id")
    )
    for warehouse, held in groupby(reservations, key=lambda reservation: reservation.warehouse):
        balances_lock(item_ids=[reservation.item_id for reservation in held], warehouse=warehouse)


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
    list(purchase_orders_for_update().filter(pk__in=po_lines.values("purchase_order_id")))
    list(purchase_order_lines_for_update().filter(pk__in=po_lines.values("pk")))
    list(requisition_lines_for_update().filter(sales_order_line__in=lines))
    list(sales_order_lines_for_update().filter(pk__in=[line.pk for line in lines]))
    _lock_reserved_balances(lines)
    return [
        sales_order_line_cancel(actor=actor, sales_order_line=line, reason=reason) for line in lines
    ]
