"""Receiving: a receipt against PO lines puts the goods on hand and reserves exactly the
received quantity for the sales order line each PO line is pegged to."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from b2b_portal.bulk_writes import bulk_create_with_history
from b2b_portal.errors import TransitionRefused, ValidationRefused
from b2b_portal.fields import format_quantity
from b2b_portal.permissions import require_permission
from b2b_portal.transitions import (
    apply_transition,
    bulk_apply_transition,
    bulk_save_moved,
    stamp_history,
)
from catalog.units import require_business_unit
from inventory.locks import balances_lock
from inventory.services import StockLine, balances_save, reservations_add, stock_receive
from orders.locks import sales_order_lines_for_update
from orders.models import SalesOrderLine
from orders.services import validate_quantity
from procurement.locks import (
    purchase_order_lines_for_update,
    purchase_orders_for_update,
    supply_orders_for_update,
)
from procurement.models import (
    POLineStatus,
    POStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    RequisitionLine,
)
from procurement.services import purchase_order_follow_lines

from .models import Receipt, ReceiptLine

LINE_CANCELLED = "{line} is cancelled{reason}: it can no longer be received."
LINE_RECEIVED_MEANWHILE = (
    "{line} was received meanwhile ({received} of {quantity} are in): nothing is open on it now."
)
LINE_CLOSED = "{line} is closed for receiving ({received} of {quantity} received)."
TOO_MUCH = "{line} has {open} open to receive; {quantity} is too much."

# What the apps above receiving do with every receipt, inside its transaction; receiving may
# not import them, so they register here from their AppConfig.ready (suppliers: the ship
# notices the receipt covers, docs/supplier-collaboration.md).
RECEIPT_FOLLOWERS: list[Callable[..., None]] = []


@dataclass(frozen=True)
class ReceiptLineInput:
    purchase_order_line: PurchaseOrderLine
    quantity: Decimal


@transaction.atomic
def receipt_create(
    *,
    actor,
    purchase_order: PurchaseOrder,
    lines: list[ReceiptLineInput],
    packing_slip: str = "",
    ship_notice=None,
) -> Receipt:
    """Receive goods on an approved PO. Receiving more than a line's open quantity is
    refused; a partial receipt reserves partially and the SO line waits for the rest.
    ``ship_notice``: the supplier's notice the goods are received from, if any, handed to
    the ``RECEIPT_FOLLOWERS``."""
    require_permission(actor, "receiving.add_receipt", "receive goods")
    require_business_unit(actor, purchase_order.business_unit_id)
    purchase_order = _locked_open_purchase_order(purchase_order)
    wanted = {line.purchase_order_line.pk: line.quantity for line in lines if line.quantity}
    if not wanted:
        raise ValidationRefused("Enter a received quantity on at least one line.")
    po_lines, sales_lines = _locked_lines(purchase_order, wanted)
    received = [(po_line, _receivable(po_line, wanted[po_line.pk])) for po_line in po_lines]
    receipt = Receipt(
        business_unit=purchase_order.business_unit,
        purchase_order=purchase_order,
        warehouse=purchase_order.ship_to_warehouse,
        received_by=actor,
        received_at=timezone.now(),
        packing_slip=packing_slip,
        # The totals of the lines written below, which never change (receiving.totals).
        line_count=len(received),
        total_quantity=sum(quantity for _, quantity in received),
    )
    stamp_history(receipt, actor=actor, reason="received")
    receipt.save()
    # Every balance the receipt moves, in item order, before it moves any (no deadlock with
    # a shipment or receipt of the same items in another order).
    balances = balances_lock(
        item_ids=[line.item_id for line in po_lines], warehouse=receipt.warehouse
    )
    _po_lines_receive(received, sales_lines, actor=actor, receipt=receipt)
    _stock_in(received, sales_lines, balances=balances, receipt=receipt, actor=actor)
    bulk_create_with_history(
        [
            ReceiptLine(
                receipt=receipt,
                purchase_order_line=po_line,
                sales_order_line=sales_lines.get(po_line.sales_order_line_id),
                quantity=quantity,
                reserved_quantity=quantity if po_line.sales_order_line_id in sales_lines else 0,
            )
            for po_line, quantity in received
        ],
        ReceiptLine,
        default_user=actor,
        default_change_reason="received",
    )
    purchase_order_follow_lines(actor=actor, purchase_order=purchase_order, reason="fully received")
    for follow in RECEIPT_FOLLOWERS:
        follow(actor=actor, receipt=receipt, received=received, ship_notice=ship_notice)
    return receipt


def _locked_open_purchase_order(purchase_order: PurchaseOrder) -> PurchaseOrder:
    # The PO first, as everywhere in the cycle: two receipts of one PO queue here, and the
    # second reads the status (and below, the lines) the first left. Its unit and warehouse
    # are read with it (not locked), for the receipt.
    purchase_order = (
        purchase_orders_for_update()
        .select_related("business_unit", "ship_to_warehouse")
        .get(pk=purchase_order.pk)
    )
    if purchase_order.status != POStatus.OPEN:
        raise TransitionRefused(
            f"{purchase_order} is {purchase_order.get_status_display()}: only an approved, "
            "open purchase order can be received."
        )
    return purchase_order


def _locked_lines(
    purchase_order: PurchaseOrder, wanted: dict
) -> tuple[list[PurchaseOrderLine], dict[int, SalesOrderLine]]:
    """The PO lines to receive and the SO lines they are pegged to, locked in that order."""
    # PO lines after their PO: their received quantity is read under the lock.
    po_lines = list(
        purchase_order_lines_for_update().filter(pk__in=wanted, purchase_order=purchase_order)
    )
    if len(po_lines) != len(wanted):
        raise ValidationRefused(f"Some lines do not belong to {purchase_order}.")
    for po_line in po_lines:
        po_line.purchase_order = purchase_order  # named in messages: no query per line
    # SO lines next: the reservation moves their reserved quantity and status. Their item
    # and order are named only in a refusal: not read with every line.
    sales_lines = sales_order_lines_for_update().filter(
        pk__in=[po_line.sales_order_line_id for po_line in po_lines]
    )
    return po_lines, {line.pk: line for line in sales_lines}


def _receivable(po_line: PurchaseOrderLine, quantity) -> Decimal:
    """``quantity`` if the locked PO line still has that much open to receive."""
    quantity = validate_quantity(quantity, what=f"Received quantity on {po_line}")
    if refusal := receiving_refusal(po_line, quantity):
        raise ValidationRefused(refusal)
    return quantity


def receiving_refusal(po_line: PurchaseOrderLine, quantity: Decimal) -> str:
    """Why ``quantity`` cannot be received on ``po_line`` as it is now, in the receiving
    agent's words ("" when it can): a page opened before the line was cancelled, or
    received in another tab, says so instead of "too much"."""
    counts = {
        "line": po_line,
        "received": format_quantity(po_line.received_quantity),
        "quantity": format_quantity(po_line.quantity),
    }
    if po_line.status == POLineStatus.CANCELLED:
        reason = f" ({po_line.cancel_reason})" if po_line.cancel_reason else ""
        return LINE_CANCELLED.format(line=po_line, reason=reason)
    if po_line.status != POLineStatus.OPEN:
        fully = po_line.received_quantity >= po_line.quantity
        return (LINE_RECEIVED_MEANWHILE if fully else LINE_CLOSED).format(**counts)
    if quantity > po_line.open_quantity:
        return TOO_MUCH.format(
            line=po_line,
            open=format_quantity(po_line.open_quantity),
            quantity=format_quantity(quantity),
        )
    return ""


def _po_lines_receive(received, sales_lines: dict, *, actor, receipt: Receipt) -> None:
    """Add what arrived to each PO line; a fully received one is closed for receiving, its
    sales order line no longer at risk and its supply order received. One write for the
    PO lines, one lock and one write for the supply orders."""
    closed = []
    for po_line, quantity in received:
        po_line.received_quantity += quantity
        if po_line.is_fully_received():
            apply_transition(po_line, "close_for_receiving", actor=actor, reason="fully received")
            po_line.late_since = None
            if po_line.sales_order_line_id in sales_lines:
                sales_lines[po_line.sales_order_line_id].leave_jeopardy()
                closed.append(po_line)
        else:
            stamp_history(po_line, actor=actor, reason=f"partly received on {receipt}")
    po_lines = [po_line for po_line, _ in received]
    bulk_save_moved(
        po_lines, ["received_quantity", "status", "late_since"], actor=actor, reason="received"
    )
    # The lines' supply orders, after the balances: each belongs to its SO line alone.
    supply_orders = supply_orders_for_update().filter(
        pk__in=RequisitionLine.objects.filter(purchase_order_lines__in=closed).values(
            "supply_order_id"
        )
    )
    bulk_apply_transition(list(supply_orders), "mark_received", actor=actor, reason=str(receipt))


def _stock_in(received, sales_lines: dict, *, balances, receipt: Receipt, actor) -> None:
    """The goods on hand, and what arrives for a PO line held for its sales order line only
    (an unpegged line, its demand cancelled, brings ordinary stock): one write for the
    balances, one for the SO lines."""
    stock_receive(
        actor=actor,
        balances=balances,
        lines=[
            StockLine(po_line.item_id, quantity, sales_lines.get(po_line.sales_order_line_id))
            for po_line, quantity in received
        ],
        source_reference=receipt.number,
    )
    pegged = [
        StockLine.of(sales_lines[po_line.sales_order_line_id], quantity)
        for po_line, quantity in received
        if po_line.sales_order_line_id in sales_lines
    ]
    reservations_add(actor=actor, warehouse=receipt.warehouse, balances=balances, lines=pegged)
    balances_save(balances.values(), actor=actor, reason=f"received {receipt.number}")
    bulk_save_moved(
        [line.sales_order_line for line in pegged],
        ["reserved_quantity", "status", "at_risk", "days_late"],
        actor=actor,
        reason="reserved",
    )
