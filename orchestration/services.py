"""Changes after booking that reach across the steps: cancellations and the decisions
they leave to the buyer.

Lock order, the same as in every service of the cycle, so that two of them never wait
on each other in a circle: PO, PO lines, requisition lines, SO lines, on-hand balances (in
item order), then what belongs to one SO line alone (its supply order, its reservation).
"""

from django.db import transaction
from django.utils import timezone

from b2b_portal.errors import ValidationRefused
from b2b_portal.permissions import require_business_unit, require_permission
from b2b_portal.transitions import apply_transition, stamp_history
from inventory.services import reservation_release
from orders.models import CANCELLABLE, SalesOrder, SalesOrderLine
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
from shipping.models import ShipmentLine

from .exceptions import LineNotCancellable
from .models import BusinessException, ExceptionKind, ExceptionStatus, Resolution

NOT_SENT = (POStatus.DRAFT, POStatus.PENDING_APPROVAL)


def _require_reason(reason: str, what: str) -> str:
    if not reason.strip():
        raise ValidationRefused(f"Say why {what}.")
    return reason.strip()


def _live_po_line(sales_order_line) -> PurchaseOrderLine | None:
    return (
        PurchaseOrderLine.objects.filter(sales_order_line=sales_order_line)
        .exclude(status=POLineStatus.CANCELLED)
        .first()
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
    reason = _require_reason(reason, "the line is cancelled")
    po_line = _live_po_line(sales_order_line)
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
        .select_related("item")
        .get(pk=sales_order_line.pk)
    )
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
    supply_orders = list(
        SupplyOrder.objects.select_for_update()
        .filter(sales_order_line=line)
        .exclude(status=SupplyStatus.CANCELLED)
        .order_by("pk")
    )
    if po_line is not None:
        _release_supply(actor=actor, purchase_order=purchase_order, po_line=po_line, line=line)
    for requisition_line in requisition_lines:
        apply_transition(requisition_line, "cancel", actor=actor, reason=f"{line} cancelled")
        requisition_line.save()
    for supply_order in supply_orders:
        apply_transition(supply_order, "cancel", actor=actor, reason=f"{line} cancelled")
        supply_order.save()
    apply_transition(line, "cancel", actor=actor, reason=f"cancelled: {reason}", reason_text=reason)
    line.save()
    return line


def _release_supply(*, actor, purchase_order, po_line, line) -> None:
    """The PO side of a cancellation (see ``sales_order_line_cancel``)."""
    if purchase_order.status in NOT_SENT:
        apply_transition(po_line, "cancel", actor=actor, reason=f"{line} cancelled")
        po_line.save()
        if not purchase_order.lines.exclude(status=POLineStatus.CANCELLED).exists():
            apply_transition(purchase_order, "cancel", actor=actor, reason="no live line left")
            purchase_order.save()
        return
    po_line.sales_order_line = None
    po_line.unpegged_from = line
    stamp_history(po_line, actor=actor, reason=f"unpegged: {line} cancelled")
    po_line.save()
    if po_line.status == POLineStatus.OPEN:
        exception = BusinessException(
            business_unit_id=purchase_order.business_unit_id,
            kind=ExceptionKind.SUPPLIER_CANCELLATION,
            message=(
                f"{line} was cancelled; {purchase_order.supplier} still has "
                f"{po_line.open_quantity} on {po_line} to deliver. Cancel with the supplier "
                "or keep the goods as stock."
            ),
            quantity=po_line.open_quantity,
            sales_order_line=line,
            purchase_order_line=po_line,
        )
        stamp_history(exception, actor=actor, reason="raised by cancellation")
        exception.save()


@transaction.atomic
def sales_order_cancel(*, actor, sales_order: SalesOrder, reason: str) -> list[SalesOrderLine]:
    """Cancel every line of the order that can still be cancelled, by the rules above."""
    lines = [line for line in sales_order.lines.order_by("pk") if line.status in CANCELLABLE]
    if not lines:
        raise LineNotCancellable(f"{sales_order} has no line left that can be cancelled.")
    return [
        sales_order_line_cancel(actor=actor, sales_order_line=line, reason=reason) for line in lines
    ]


def _locked_open_exception(exception: BusinessException, kind: str) -> BusinessException:
    exception = BusinessException.objects.select_for_update().get(pk=exception.pk)
    if exception.status != ExceptionStatus.OPEN or exception.kind != kind:
        raise ValidationRefused(f"{exception} is already {exception.get_status_display()}.")
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
    reason = _require_reason(reason, "the supply is cancelled")
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
    live = purchase_order.lines.exclude(status=POLineStatus.CANCELLED)
    if purchase_order.status == POStatus.OPEN and not live.exists():
        apply_transition(purchase_order, "cancel", actor=actor, reason="no live line left")
        purchase_order.save()
    elif (
        purchase_order.status == POStatus.OPEN
        and not live.filter(status=POLineStatus.OPEN).exists()
    ):
        apply_transition(purchase_order, "close_for_receiving", actor=actor, reason=reason)
        purchase_order.save()
    return _resolve(
        exception, actor=actor, resolution=Resolution.CANCELLED_WITH_SUPPLIER, reason=reason
    )


@transaction.atomic
def exception_keep_as_stock(*, actor, exception: BusinessException, reason: str):
    """Keep the order with the supplier: what arrives becomes ordinary stock."""
    require_permission(actor, "procurement.change_purchaseorder", "change purchase orders")
    require_business_unit(actor, exception.business_unit_id)
    reason = _require_reason(reason, "the goods are kept")
    exception = _locked_open_exception(exception, ExceptionKind.SUPPLIER_CANCELLATION)
    return _resolve(exception, actor=actor, resolution=Resolution.KEPT_AS_STOCK, reason=reason)
