"""Cancelling supply the buyer decides against, or the supplier will not deliver: a PO,
a PO line, a requisition line; and re-sourcing the supply order they leave behind.

A cancelled PO line or requisition line frees its supply order: it goes to Exception
awaiting the buyer (``awaits_buyer``: re-source it, or cancel the demand), or back to
Open so that the next Generate Supply Orders sources it once more. The unique
constraints ``one_live_requisition_line_per_supply_order`` and
``one_live_po_line_per_so_line`` stay the last guard against two live supplies.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from b2b_portal.errors import TransitionRefused, ValidationRefused, require_reason
from b2b_portal.permissions import require_permission
from b2b_portal.transitions import apply_transition, stamp_history
from catalog.units import require_business_unit
from orders.locks import sales_order_lines_for_update
from orders.models import LineStatus

from ..locks import (
    purchase_order_lines_for_update,
    purchase_orders_for_update,
    requisition_lines_for_update,
    supply_orders_for_update,
)
from ..models import (
    POLineStatus,
    POStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    RequisitionLine,
    RequisitionStatus,
    SourcingRule,
    SupplyOrder,
    SupplyStatus,
)
from ..selectors import PO_GROUPING_RELATED, effective_on
from .purchase_orders import _create_purchase_orders, purchase_order_follow_lines
from .supply_orders import requisition_lines_create

CANCELLABLE_PO = (POStatus.DRAFT, POStatus.PENDING_APPROVAL, POStatus.OPEN)
PO_NOT_CANCELLABLE = "{po} is {status}: only a draft, pending or approved PO can be cancelled."
LINE_NOT_OPEN = "{line} is {status}: only an open line can be cancelled."
PARTLY_RECEIVED = (
    "{line} has {received} received already: close it short instead, so that the received "
    "part keeps its peg."
)
NOTHING_TO_CANCEL = "{po} has no open line left to cancel."
REQUISITION_ORDERED = "{line} is on a purchase order already: cancel the PO line instead."
REQUISITION_CANCELLED = "{line} is already cancelled."
NOT_RESOURCEABLE = (
    "{supply} is {status}: only a supply order that is open or in exception can be re-sourced."
)
WRONG_ITEM = "That sourcing rule is for another item than {supply}."
RULE_NOT_USABLE = "That sourcing rule is not usable: {why}."
DEMAND_CANCELLED = "{line} is cancelled: there is no demand left to re-source."


def _who(on_supplier_word: bool) -> str:
    return "on the supplier's word" if on_supplier_word else "by the buyer"


@transaction.atomic
def purchase_order_line_cancel(
    *, actor, purchase_order_line: PurchaseOrderLine, reason: str, on_supplier_word: bool = False
) -> PurchaseOrderLine:
    """Cancel the open quantity of a PO line with nothing received; its supply order
    waits for the buyer to re-source it or cancel the demand."""
    require_permission(actor, "procurement.change_purchaseorder", "cancel purchase order lines")
    require_business_unit(actor, purchase_order_line.purchase_order.business_unit_id)
    reason = require_reason(reason, "the PO line is cancelled")
    # Receipts and approvals of the PO queue behind the cancellation, and it sees what arrived.
    purchase_order = purchase_orders_for_update().get(pk=purchase_order_line.purchase_order_id)
    po_line = purchase_order_lines_for_update().get(pk=purchase_order_line.pk)
    _refuse_unless_cancellable(purchase_order, [po_line])
    _cancel_po_lines(
        actor=actor,
        purchase_order=purchase_order,
        po_lines=[po_line],
        reason=reason,
        on_supplier_word=on_supplier_word,
    )
    return po_line


@transaction.atomic
def purchase_order_cancel(
    *, actor, purchase_order: PurchaseOrder, reason: str, on_supplier_word: bool = False
) -> PurchaseOrder:
    """Cancel every open line of a PO (none may be partly received); the PO follows."""
    require_permission(actor, "procurement.change_purchaseorder", "cancel purchase orders")
    require_business_unit(actor, purchase_order.business_unit_id)
    reason = require_reason(reason, "the purchase order is cancelled")
    purchase_order = purchase_orders_for_update().get(pk=purchase_order.pk)
    po_lines = list(
        purchase_order_lines_for_update().filter(
            purchase_order=purchase_order, status=POLineStatus.OPEN
        )
    )
    if purchase_order.status in CANCELLABLE_PO and not po_lines:
        raise TransitionRefused(NOTHING_TO_CANCEL.format(po=purchase_order))
    _refuse_unless_cancellable(purchase_order, po_lines)
    _cancel_po_lines(
        actor=actor,
        purchase_order=purchase_order,
        po_lines=po_lines,
        reason=reason,
        on_supplier_word=on_supplier_word,
    )
    return purchase_order


def _refuse_unless_cancellable(purchase_order: PurchaseOrder, po_lines) -> None:
    if purchase_order.status not in CANCELLABLE_PO:
        raise TransitionRefused(
            PO_NOT_CANCELLABLE.format(po=purchase_order, status=purchase_order.get_status_display())
        )
    for line in po_lines:
        if line.status != POLineStatus.OPEN:
            raise TransitionRefused(
                LINE_NOT_OPEN.format(line=line, status=line.get_status_display())
            )
        if line.received_quantity:
            raise TransitionRefused(
                PARTLY_RECEIVED.format(line=line, received=line.received_quantity.normalize())
            )


def _cancel_po_lines(*, actor, purchase_order, po_lines, reason: str, on_supplier_word: bool):
    """The PO lines, their requisition lines, the SO lines' late flag and the supply
    orders, locked in the cycle's order; then the PO follows its lines."""
    text = f"cancelled {_who(on_supplier_word)}: {reason}"
    requisition_lines = list(
        requisition_lines_for_update()
        .filter(pk__in=[line.requisition_line_id for line in po_lines])
        .exclude(status=RequisitionStatus.CANCELLED)
    )
    pegged = [line.sales_order_line_id for line in po_lines if line.sales_order_line_id]
    in_jeopardy = Q(at_risk=True) | Q(days_late__gt=0)
    for so_line in sales_order_lines_for_update().filter(in_jeopardy, pk__in=pegged):
        so_line.leave_jeopardy()  # the PO line is gone; the supply order now says why
        stamp_history(so_line, actor=actor, reason=f"supply {text}")
        so_line.save()
    for po_line in po_lines:
        po_line.late_since = None
        apply_transition(po_line, "cancel", actor=actor, reason=text, reason_text=text, by=actor)
        po_line.save()
    for requisition_line in requisition_lines:
        apply_transition(
            requisition_line, "cancel", actor=actor, reason=text, reason_text=text, by=actor
        )
        requisition_line.save()
    supply_orders = supply_orders_for_update().filter(
        pk__in=[line.supply_order_id for line in requisition_lines],
        status__in=[SupplyStatus.REQUISITIONED, SupplyStatus.ORDERED],
    )
    by_requisition = {line.supply_order_id: line for line in requisition_lines}
    po_line_of = {line.requisition_line_id: line for line in po_lines}
    for supply_order in supply_orders:
        po_line = po_line_of[by_requisition[supply_order.pk].pk]
        message = f"{po_line} was {text}. Re-source it or cancel the demand."
        apply_transition(supply_order, "supply_lost", actor=actor, reason=text, message=message)
        supply_order.save()
    purchase_order_follow_lines(actor=actor, purchase_order=purchase_order, reason=text)


@transaction.atomic
def requisition_line_cancel(
    *,
    actor,
    requisition_line: RequisitionLine,
    reason: str,
    hold: bool = False,
    resource_with: SourcingRule | None = None,
) -> RequisitionLine:
    """Cancel a requisition line no PO covers yet. Its supply order returns to Open (the
    next Generate Supply Orders sources it again), or with ``hold`` waits in Exception
    for the buyer, or with ``resource_with`` is re-sourced at once from that rule."""
    require_permission(actor, "procurement.change_purchaseorder", "cancel requisition lines")
    require_business_unit(actor, requisition_line.requisition.business_unit_id)
    reason = require_reason(reason, "the requisition line is cancelled")
    # Document Builder and AutoCreate lock it before ordering it: one of us finds it taken.
    line = requisition_lines_for_update().select_related("requisition").get(pk=requisition_line.pk)
    if line.status == RequisitionStatus.CANCELLED:
        raise TransitionRefused(REQUISITION_CANCELLED.format(line=line))
    if line.status != RequisitionStatus.APPROVED:
        raise TransitionRefused(REQUISITION_ORDERED.format(line=line))
    text = f"cancelled by the buyer: {reason}"
    apply_transition(line, "cancel", actor=actor, reason=text, reason_text=text, by=actor)
    line.save()
    so_line = sales_order_lines_for_update().get(pk=line.sales_order_line_id)
    supply_order = supply_orders_for_update().get(pk=line.supply_order_id)
    if hold or resource_with is not None:
        message = f"{line} was {text}. Re-source it or cancel the demand."
        apply_transition(supply_order, "supply_lost", actor=actor, reason=text, message=message)
    else:
        apply_transition(supply_order, "reopen", actor=actor, reason=text)
    supply_order.save()
    if resource_with is not None:
        _resource(
            actor=actor,
            supply_order=supply_order,
            so_line=so_line,
            rule=resource_with,
            reason=reason,
        )
    return line


@transaction.atomic
def supply_order_resource(
    *, actor, supply_order: SupplyOrder, sourcing_rule: SourcingRule, reason: str
) -> PurchaseOrderLine:
    """Source a supply order again from the rule the buyer picked: a new requisition line
    and a draft PO line pegged to the same sales order line."""
    require_permission(actor, "procurement.add_purchaseorder", "re-source supply")
    require_business_unit(actor, supply_order.business_unit_id)
    reason = require_reason(reason, "the supply is re-sourced")
    # The SO line first (the PO line about to peg it is inserted under that lock), then
    # what belongs to it alone: a Generate run skips the locked supply order.
    so_line = sales_order_lines_for_update().get(pk=supply_order.sales_order_line_id)
    supply_order = supply_orders_for_update().select_related("item").get(pk=supply_order.pk)
    return _resource(
        actor=actor, supply_order=supply_order, so_line=so_line, rule=sourcing_rule, reason=reason
    )


def _resource(*, actor, supply_order, so_line, rule: SourcingRule, reason: str):
    if so_line.status == LineStatus.CANCELLED:
        raise TransitionRefused(DEMAND_CANCELLED.format(line=so_line))
    if supply_order.status not in (SupplyStatus.OPEN, SupplyStatus.EXCEPTION):
        raise TransitionRefused(
            NOT_RESOURCEABLE.format(supply=supply_order, status=supply_order.get_status_display())
        )
    _refuse_unusable_rule(supply_order, rule)
    text = f"re-sourced from {rule.supplier.name}: {reason}"
    [made] = requisition_lines_create([(supply_order, rule)], actor=actor, reason=text)
    requisition_line = RequisitionLine.objects.select_related(*PO_GROUPING_RELATED).get(pk=made)
    _, [po_line] = _create_purchase_orders(
        actor=actor, requisition_lines=[requisition_line], reason=text
    )
    return PurchaseOrderLine.objects.get(pk=po_line.pk)


def _refuse_unusable_rule(supply_order: SupplyOrder, rule: SourcingRule) -> None:
    if rule.item_id != supply_order.item_id:
        raise ValidationRefused(WRONG_ITEM.format(supply=supply_order))
    today = timezone.localdate()
    if not (effective_on(rule, supply_order.order_date) or effective_on(rule, today)):
        raise ValidationRefused(RULE_NOT_USABLE.format(why="it is not effective"))
    if not (rule.supplier.active and rule.supplier_site.active):
        raise ValidationRefused(RULE_NOT_USABLE.format(why="its supplier or site is inactive"))
    item = supply_order.item
    if not (item.purchased and item.purchasable):
        raise ValidationRefused(
            RULE_NOT_USABLE.format(why=f"{item.number} is no longer purchased and purchasable")
        )
