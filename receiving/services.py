"""Receiving: a receipt against PO lines puts the goods on hand and reserves exactly the
received quantity for the sales order line each PO line is pegged to."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from b2b_portal.errors import TransitionRefused, ValidationRefused
from b2b_portal.permissions import require_business_unit
from b2b_portal.transitions import apply_transition, stamp_history
from inventory.services import balances_lock, reservation_add, stock_receive
from orders.models import SalesOrderLine
from orders.services import validate_quantity
from procurement.models import POLineStatus, POStatus, PurchaseOrder, PurchaseOrderLine, SupplyOrder
from procurement.services import purchase_order_follow_lines

from .models import Receipt, ReceiptLine


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
) -> Receipt:
    """Receive goods on an approved PO. Receiving more than a line's open quantity is
    refused; a partial receipt reserves partially and the SO line waits for the rest."""
    require_business_unit(actor, purchase_order.business_unit_id)
    # Lock order, as everywhere in the cycle: PO, then PO lines, then SO lines, by pk.
    purchase_order = PurchaseOrder.objects.select_for_update().get(pk=purchase_order.pk)
    if purchase_order.status != POStatus.OPEN:
        raise TransitionRefused(
            f"{purchase_order} is {purchase_order.get_status_display()}: only an approved, "
            "open purchase order can be received."
        )
    wanted = {line.purchase_order_line.pk: line.quantity for line in lines if line.quantity}
    if not wanted:
        raise ValidationRefused("Enter a received quantity on at least one line.")
    po_lines = list(
        PurchaseOrderLine.objects.select_for_update()
        .filter(pk__in=wanted, purchase_order=purchase_order)
        .order_by("pk")
    )
    if len(po_lines) != len(wanted):
        raise ValidationRefused(f"Some lines do not belong to {purchase_order}.")
    sales_lines = {
        line.pk: line
        for line in SalesOrderLine.objects.select_for_update()
        .filter(pk__in=[po_line.sales_order_line_id for po_line in po_lines])
        .select_related("item")
        .order_by("pk")
    }
    receipt = Receipt(
        business_unit=purchase_order.business_unit,
        purchase_order=purchase_order,
        warehouse=purchase_order.ship_to_warehouse,
        received_by=actor,
        received_at=timezone.now(),
        packing_slip=packing_slip,
    )
    stamp_history(receipt, actor=actor, reason="received")
    receipt.save()
    balances_lock(item_ids=[line.item_id for line in po_lines], warehouse=receipt.warehouse)
    for po_line in po_lines:
        quantity = validate_quantity(wanted[po_line.pk], what=f"Received quantity on {po_line}")
        if po_line.status != POLineStatus.OPEN or quantity > po_line.open_quantity:
            raise ValidationRefused(
                f"{po_line} has {po_line.open_quantity} open to receive; {quantity} is too much."
            )
        _receive_line(
            actor=actor,
            receipt=receipt,
            po_line=po_line,
            quantity=quantity,
            sales_order_line=sales_lines.get(po_line.sales_order_line_id),
        )
    purchase_order_follow_lines(actor=actor, purchase_order=purchase_order, reason="fully received")
    return receipt


def _receive_line(*, actor, receipt, po_line, quantity, sales_order_line) -> ReceiptLine:
    po_line.received_quantity += quantity
    if po_line.is_fully_received():
        apply_transition(po_line, "close_for_receiving", actor=actor, reason="fully received")
        po_line.late_since = None
        if sales_order_line is not None:
            sales_order_line.at_risk = False  # saved by reservation_add below
        if sales_order_line is not None:
            supply_order = SupplyOrder.objects.select_for_update().get(
                requisition_lines__purchase_order_lines=po_line
            )
            apply_transition(supply_order, "mark_received", actor=actor, reason=str(receipt))
            supply_order.save()
    else:
        stamp_history(po_line, actor=actor, reason=f"partly received on {receipt}")
    po_line.save()
    stock_receive(
        actor=actor,
        item=po_line.item,
        warehouse=receipt.warehouse,
        quantity=quantity,
        source_reference=receipt.number,
        sales_order_line=sales_order_line,
    )
    # The peg: what arrives for this PO line is held for its sales order line only. An
    # unpegged line (its demand was cancelled) brings ordinary stock.
    if sales_order_line is not None:
        reservation_add(
            actor=actor,
            sales_order_line=sales_order_line,
            warehouse=receipt.warehouse,
            quantity=quantity,
        )
    receipt_line = ReceiptLine(
        receipt=receipt,
        purchase_order_line=po_line,
        sales_order_line=sales_order_line,
        quantity=quantity,
        reserved_quantity=quantity if sales_order_line is not None else 0,
    )
    stamp_history(receipt_line, actor=actor, reason="received")
    receipt_line.save()
    return receipt_line
