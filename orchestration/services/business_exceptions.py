"""The buyer's decisions a change leaves behind: business exceptions opened on a PO line
and resolved from the Exceptions work area."""

from django.db import transaction
from django.utils import timezone

from b2b_portal.errors import ValidationRefused, require_reason
from b2b_portal.fields import format_quantity
from b2b_portal.permissions import require_permission
from b2b_portal.transitions import apply_transition, stamp_history
from catalog.units import require_business_unit
from procurement.locks import purchase_order_lines_for_update, purchase_orders_for_update
from procurement.models import POLineStatus
from procurement.services import purchase_order_follow_lines

from ..locks import business_exceptions_for_update
from ..models import BusinessException, ExceptionKind, ExceptionStatus, Resolution

ACKNOWLEDGEABLE = (ExceptionKind.SUPPLIER_CHANGE, ExceptionKind.SURPLUS_STOCK)


def business_exception_open(*, actor, kind, po_line, line, quantity, message) -> BusinessException:
    """Open an exception of ``kind`` on ``po_line``, or add to the one already open (a
    second decrease before the buyer has acted). The caller holds the PO line's lock, so
    no one else opens the same exception meanwhile."""
    exception = (
        business_exceptions_for_update()
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
        else (
            f"{message} ({format_quantity(exception.quantity)} in all since the buyer last acted.)"
        )
    )
    stamp_history(exception, actor=actor, reason="raised")
    exception.save()
    return exception


def _locked_open_exception(exception: BusinessException, kind: str) -> BusinessException:
    # Two buyers may resolve the same exception at once: the second finds it resolved.
    exception = business_exceptions_for_update().get(pk=exception.pk)
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
    # A receipt on the PO line waits, or this waits for it: the cancellation sees what arrived.
    purchase_order = purchase_orders_for_update().get(lines=exception.purchase_order_line_id)
    po_line = purchase_order_lines_for_update().get(pk=exception.purchase_order_line_id)
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


@transaction.atomic
def exception_acknowledge(*, actor, exception: BusinessException, reason: str):
    """The buyer has told the supplier of a PO change, or taken note of surplus stock."""
    require_permission(actor, "procurement.change_purchaseorder", "change purchase orders")
    require_business_unit(actor, exception.business_unit_id)
    reason = require_reason(reason, "the exception is closed")
    # Two buyers may acknowledge the same exception at once: the second is refused.
    exception = business_exceptions_for_update().get(pk=exception.pk)
    if exception.status != ExceptionStatus.OPEN or exception.kind not in ACKNOWLEDGEABLE:
        raise ValidationRefused(f"{exception} cannot be acknowledged.")
    return _resolve(exception, actor=actor, resolution=Resolution.ACKNOWLEDGED, reason=reason)
