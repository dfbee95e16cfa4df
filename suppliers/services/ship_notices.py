"""Advance ship notices: the supplier says what it shipped on a PO and when it arrives
(the lines' expected dates follow), and the receiving agent receives the notice:
``receiving.services.receipt_create`` as for any receipt, told which notice it receives
(``receipts.ship_notices_follow_receipt`` then records it)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from b2b_portal.errors import TransitionRefused, ValidationRefused
from b2b_portal.fields import format_quantity
from b2b_portal.transitions import stamp_history
from orders.services import validate_quantity
from procurement.locks import purchase_order_lines_for_update, purchase_orders_for_update
from procurement.models import POLineStatus, POStatus, PurchaseOrderLine
from receiving.models import Receipt
from receiving.services import ReceiptLineInput, receipt_create

from ..expected import expected_dates_changed
from ..locks import ship_notices_for_update
from ..models import ShipNotice, ShipNoticeLine, ShipNoticeStatus
from ..selectors import in_transit
from .receipts import ALREADY_RECEIVED
from .scope import locked_purchase_order_of_supplier

PO_NOT_OPEN = "{po} is {status}: only an open PO can be shipped."
NO_LINES = "Enter a shipped quantity on at least one line."
NOT_A_LINE = "{line} is not an open line of {po}."
TOO_MUCH = (
    "{line} has {open} open, {on_the_way} of it on ship notices already: {quantity} is too much."
)
ARRIVES_BEFORE_SHIPPING = "The expected arrival {arrival:%Y-%m-%d} is before the ship date."
NEEDED = "Enter the {what}."


@dataclass(frozen=True)
class ShipNoticeLineInput:
    purchase_order_line: PurchaseOrderLine
    quantity: Decimal


@transaction.atomic
def ship_notice_create(
    *,
    actor,
    purchase_order,
    ship_date: date,
    expected_arrival: date,
    carrier: str,
    tracking_number: str,
    lines: list[ShipNoticeLineInput],
) -> ShipNotice:
    """Send a ship notice for what is open on the PO's lines (less what earlier notices
    still have on the way); the lines' expected dates follow (``suppliers.expected``)."""
    purchase_order = locked_purchase_order_of_supplier(actor, purchase_order, "send ship notices")
    if purchase_order.status != POStatus.OPEN:
        raise TransitionRefused(
            PO_NOT_OPEN.format(po=purchase_order, status=purchase_order.get_status_display())
        )
    carrier, tracking_number = (
        _needed(carrier, "carrier"),
        _needed(tracking_number, "tracking number"),
    )
    if expected_arrival < ship_date:
        raise ValidationRefused(ARRIVES_BEFORE_SHIPPING.format(arrival=expected_arrival))
    wanted = {line.purchase_order_line.pk: line.quantity for line in lines if line.quantity}
    if not wanted:
        raise ValidationRefused(NO_LINES)
    po_lines = list(
        purchase_order_lines_for_update().filter(
            purchase_order=purchase_order, status=POLineStatus.OPEN, pk__in=wanted
        )
    )
    missing = set(wanted) - {po_line.pk for po_line in po_lines}
    if missing:
        line = PurchaseOrderLine.objects.get(pk=min(missing))
        raise ValidationRefused(NOT_A_LINE.format(line=line, po=purchase_order))
    on_the_way = in_transit(po_lines)
    quantities = [
        (po_line, _shippable(po_line, wanted[po_line.pk], on_the_way.get(po_line.pk, 0)))
        for po_line in po_lines
    ]
    ship_notice = ShipNotice(
        business_unit_id=purchase_order.business_unit_id,
        purchase_order=purchase_order,
        ship_date=ship_date,
        expected_arrival=expected_arrival,
        carrier=carrier,
        tracking_number=tracking_number,
        sent_by=actor,
    )
    stamp_history(ship_notice, actor=actor, reason="shipped")
    ship_notice.save()
    bulk_create_with_history(
        [
            ShipNoticeLine(ship_notice=ship_notice, purchase_order_line=po_line, quantity=quantity)
            for po_line, quantity in quantities
        ],
        ShipNoticeLine,
        default_user=actor,
        default_change_reason="shipped",
    )
    expected_dates_changed(
        actor=actor,
        po_lines=po_lines,
        why=f"{ship_notice} from {purchase_order.supplier.name}, {carrier} {tracking_number}",
    )
    return ship_notice


def _needed(text: str, what: str) -> str:
    if not text.strip():
        raise ValidationRefused(NEEDED.format(what=what))
    return text.strip()


def _shippable(po_line, quantity, on_the_way) -> Decimal:
    quantity = validate_quantity(quantity, what=f"Shipped quantity on {po_line}")
    if quantity > po_line.open_quantity - on_the_way:
        raise ValidationRefused(
            TOO_MUCH.format(
                line=po_line,
                open=format_quantity(po_line.open_quantity),
                on_the_way=format_quantity(on_the_way),
                quantity=format_quantity(quantity),
            )
        )
    return quantity


@transaction.atomic
def ship_notice_receive(
    *, actor, ship_notice: ShipNotice, lines: list[ReceiptLineInput], packing_slip: str = ""
) -> Receipt:
    """Receive what arrived of a ship notice (its quantities, or what the agent counted):
    a receipt as ``receipt_create`` makes it, which the notice then records
    (``ship_notices_follow_receipt``); the notice is Received even if short."""
    # The PO, then every line of the notice (a line the agent left empty included: its
    # expected date moves too), in the cycle's lock order before receipt_create's own.
    purchase_orders_for_update().get(pk=ship_notice.purchase_order_id)
    list(purchase_order_lines_for_update().filter(ship_notice_lines__ship_notice=ship_notice))
    # Refused before the quantities are: a received notice has nothing left on the way.
    if ship_notices_for_update().get(pk=ship_notice.pk).status != ShipNoticeStatus.SHIPPED:
        raise TransitionRefused(ALREADY_RECEIVED.format(notice=ship_notice))
    return receipt_create(
        actor=actor,
        purchase_order=ship_notice.purchase_order,
        lines=lines,
        packing_slip=packing_slip,
        ship_notice=ship_notice,
    )
