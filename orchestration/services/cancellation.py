"""Cancelling a sales order line, or a whole order, at whatever stage its supply has
reached, leaving nothing live pegged to it."""

from collections import defaultdict
from itertools import groupby

from django.db import transaction
from django.utils import timezone

from b2b_portal.bulk_writes import bulk_save_with_history
from b2b_portal.errors import require_reason
from b2b_portal.fields import format_quantity
from b2b_portal.permissions import require_permission
from b2b_portal.transitions import apply_transition, bulk_apply_transition
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
    supply_orders_for_update,
)
from procurement.models import (
    POLineStatus,
    POStatus,
    PurchaseOrderLine,
    RequisitionStatus,
    SupplyStatus,
)
from procurement.services import purchase_orders_follow_lines
from shipping.models import ShipmentLine

from ..exceptions import SUPPLY_CHANGED_MEANWHILE, ChangedMeanwhile, LineNotCancellable
from ..locks import SupplyChain, supply_chain_lock
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
    [line] = _cancel_chains(actor=actor, chains=[chain], reason=reason, cause=f"{chain.line}")
    return line


def _cancel_chains(*, actor, chains: list[SupplyChain], reason: str, cause: str):
    """Cancel the locked lines of ``chains`` as ``sales_order_line_cancel`` says, writing
    each kind of document in a few statements whatever the lines (a received line's
    reservation and a sent PO line's exception are written per line). ``cause`` names the
    cancelled line or order in the history of the supply documents."""
    lines = [chain.line for chain in chains]
    _refuse_unless_cancellable(lines)
    for line in lines:
        if line.reserved_quantity:  # written with the line below
            reservation_release(actor=actor, sales_order_line=line)
    # The lines' supply orders belong to them alone: locked after their stock.
    supply_orders = list(
        supply_orders_for_update()
        .filter(sales_order_line__in=lines)
        .exclude(status=SupplyStatus.CANCELLED)
    )
    _release_supply(actor=actor, chains=[c for c in chains if c.po_line is not None], cause=cause)
    bulk_apply_transition(
        [document for chain in chains for document in chain.requisition_lines],
        "cancel",
        actor=actor,
        reason=f"{cause} cancelled",
        fields=("status", "cancel_reason", "cancelled_by"),
    )
    bulk_apply_transition(supply_orders, "cancel", actor=actor, reason=f"{cause} cancelled")
    now = timezone.now()
    for line in lines:
        line.leave_jeopardy()
        apply_transition(
            line, "cancel", actor=actor, reason=f"cancelled: {reason}", reason_text=reason
        )
        line.updated_at = now
    bulk_save_with_history(
        lines,
        ["status", "at_risk", "days_late", "reserved_quantity", "cancel_reason", "updated_at"],
        actor=actor,
        reason=f"cancelled: {reason}",
    )
    return lines


def _refuse_unless_cancellable(lines: list[SalesOrderLine]) -> None:
    for line in lines:
        if line.status == LineStatus.CANCELLED:
            raise LineNotCancellable(f"{line} is already cancelled.")
        if line.status not in CANCELLABLE:
            raise LineNotCancellable(
                f"{line} is {line.get_status_display()}: a shipped line cannot be cancelled."
            )
    shipment_line = (
        ShipmentLine.objects.live()
        .filter(sales_order_line__in=lines)
        .select_related("shipment", "sales_order_line__order")
        .order_by("sales_order_line_id")
        .first()
    )
    if shipment_line is not None:
        raise LineNotCancellable(
            f"{shipment_line.sales_order_line} is released on shipment "
            f"{shipment_line.shipment}: it cannot be cancelled."
        )


def _release_supply(*, actor, chains: list[SupplyChain], cause: str) -> None:
    """The PO side of a cancellation (see ``sales_order_line_cancel``)."""
    unsent = [chain for chain in chains if chain.purchase_order.status in NOT_SENT]
    bulk_apply_transition(
        [chain.po_line for chain in unsent],
        "cancel",
        actor=actor,
        reason=f"{cause} cancelled",
        fields=("status", "cancel_reason", "cancelled_by"),
    )
    unsent_orders = {chain.purchase_order.pk: chain.purchase_order for chain in unsent}
    purchase_orders_follow_lines(
        actor=actor, purchase_orders=list(unsent_orders.values()), reason=f"{cause} cancelled"
    )
    sent = [chain for chain in chains if chain.purchase_order.status not in NOT_SENT]
    now = timezone.now()
    for chain in sent:
        chain.po_line.sales_order_line = None
        chain.po_line.unpegged_from = chain.line
        chain.po_line.late_since = None  # no demand is at risk any more
        chain.po_line.updated_at = now
    bulk_save_with_history(
        [chain.po_line for chain in sent],
        ["sales_order_line", "unpegged_from", "late_since", "updated_at"],
        actor=actor,
        reason=f"unpegged: {cause} cancelled",
    )
    for chain in sent:
        po_line, line = chain.po_line, chain.line
        if po_line.status == POLineStatus.OPEN:
            business_exception_open(
                actor=actor,
                kind=ExceptionKind.SUPPLIER_CANCELLATION,
                po_line=po_line,
                line=line,
                quantity=po_line.open_quantity,
                message=(
                    f"{line} was cancelled; {chain.purchase_order.supplier} still has "
                    f"{format_quantity(po_line.open_quantity)} on {po_line} to deliver. Cancel "
                    "with the supplier or keep the goods as stock."
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


def _live_pegs(lines) -> dict[int, tuple[int, int]]:
    """SO line pk -> (pk, purchase_order_id) of the live PO line pegged to it."""
    po_lines = PurchaseOrderLine.objects.filter(sales_order_line__in=lines).exclude(
        status=POLineStatus.CANCELLED
    )
    return {so_line: (pk, po) for so_line, pk, po in po_lines.values_list(
        "sales_order_line_id", "pk", "purchase_order_id"
    )}  # fmt: skip


@transaction.atomic
def sales_order_cancel(*, actor, sales_order: SalesOrder, reason: str) -> list[SalesOrderLine]:
    """Cancel every line of the order that can still be cancelled, by the rules above,
    in a constant number of statements per kind of document."""
    require_permission(actor, "orders.change_salesorderline", "cancel order lines")
    require_business_unit(actor, sales_order.business_unit_id)
    reason = require_reason(reason, "the line is cancelled")
    lines = [line for line in sales_order.lines.order_by("pk") if line.status in CANCELLABLE]
    if not lines:
        raise LineNotCancellable(f"{sales_order} has no line left that can be cancelled.")
    # Take every lock of every line up front, in the cycle's order (as ``supply_chain_lock``
    # does for one line): line by line would lock the second line's PO after the first
    # line's stock balance.
    pegs = _live_pegs(lines)
    purchase_orders = purchase_orders_for_update().filter(pk__in={po for _, po in pegs.values()})
    purchase_orders = {purchase_order.pk: purchase_order for purchase_order in purchase_orders}
    po_lines = purchase_order_lines_for_update().filter(pk__in=[pk for pk, _ in pegs.values()])
    po_lines = {po_line.pk: po_line for po_line in po_lines}
    requisition_lines = defaultdict(list)
    for requisition_line in (
        requisition_lines_for_update()
        .filter(sales_order_line__in=lines)
        .exclude(status=RequisitionStatus.CANCELLED)
    ):
        requisition_lines[requisition_line.sales_order_line_id].append(requisition_line)
    lines = list(
        sales_order_lines_for_update()
        .filter(pk__in=[line.pk for line in lines])
        .select_related("order", "item")
    )
    if (now_pegged := _live_pegs(lines)) != pegs:
        changed = next(line for line in lines if now_pegged.get(line.pk) != pegs.get(line.pk))
        raise ChangedMeanwhile(SUPPLY_CHANGED_MEANWHILE.format(line=changed))
    _lock_reserved_balances(lines)
    chains = [
        SupplyChain(
            line,
            purchase_orders.get(pegs[line.pk][1]) if line.pk in pegs else None,
            po_lines.get(pegs[line.pk][0]) if line.pk in pegs else None,
            requisition_lines[line.pk],
        )
        for line in lines
    ]
    return _cancel_chains(actor=actor, chains=chains, reason=reason, cause=f"{sales_order}")
