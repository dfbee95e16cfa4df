"""What a receipt does to the ship notices of its PO, whether the agent received a notice
or the PO itself (the Receive page): the quantity received on each PO line fills the
notice received first, then the notices still on the way, earliest arrival first. A
notice whose lines are all filled is Received; one filled in part stays Shipped with
less on the way; a notice received as such is Received even if short (the rest is no
longer on the way). The PO lines' expected dates follow (``suppliers.expected``).

``receiving.services.receipt_create`` calls ``ship_notices_follow_receipt`` inside its
transaction: receiving may not import suppliers, so ``SuppliersConfig.ready`` registers it
in ``receiving.services.RECEIPT_FOLLOWERS``.
"""

from b2b_portal.errors import TransitionRefused
from b2b_portal.fields import ZERO
from b2b_portal.transitions import apply_transition, bulk_save_moved
from procurement.locks import purchase_order_lines_for_update

from ..expected import expected_dates_changed
from ..locks import ship_notices_for_update
from ..models import ShipNotice, ShipNoticeLine, ShipNoticeStatus

ALREADY_RECEIVED = "{notice} is already received."


def ship_notices_follow_receipt(
    *, actor, receipt, received: list, ship_notice: ShipNotice | None = None
) -> None:
    """Fill the PO's ship notices on the way with what ``receipt`` brought (``received``:
    the locked PO lines, as the receipt left them, with their quantities), receiving
    ``ship_notice`` first if the goods were received from it. The same statements
    whatever the lines and notices."""
    # After the PO and its lines (receipt_create's locks): a second receipt of the same
    # notice waits for the PO, then finds the notice received and rolls its receipt back.
    notices = {
        notice.pk: notice
        for notice in ship_notices_for_update().filter(
            purchase_order_id=receipt.purchase_order_id, status=ShipNoticeStatus.SHIPPED
        )
    }
    first = ship_notice.pk if ship_notice is not None else None
    if first is not None and first not in notices:
        raise TransitionRefused(ALREADY_RECEIVED.format(notice=ship_notice))
    lines = sorted(
        ShipNoticeLine.objects.filter(ship_notice_id__in=notices),
        key=lambda line: (
            line.ship_notice_id != first,
            notices[line.ship_notice_id].expected_arrival,
            line.ship_notice_id,
        ),
    )
    filled = _fill(lines, {po_line.pk: quantity for po_line, quantity in received})
    bulk_save_moved(filled, ["received_quantity"], actor=actor, reason=f"received on {receipt}")
    short = {line.ship_notice_id for line in lines if line.received_quantity < line.quantity}
    done = [notice for pk, notice in notices.items() if pk == first or pk not in short]
    for notice in done:
        if notice.pk == first:
            apply_transition(
                notice, "receive", actor=actor, reason=f"received as {receipt}", receipt=receipt
            )
        else:
            apply_transition(notice, "receive", actor=actor, reason=f"covered by {receipt}")
    bulk_save_moved(done, ["status", "receipt"], actor=actor, reason=f"received on {receipt}")
    moved = {line.purchase_order_line_id for line in filled} | {
        line.purchase_order_line_id for line in lines if line.ship_notice_id == first
    }
    expected_dates_changed(
        actor=actor, po_lines=_po_lines(moved, received), why=f"received on {receipt}"
    )


def _fill(lines: list[ShipNoticeLine], quantities: dict) -> list[ShipNoticeLine]:
    """Add what arrived to the notice lines, in their order; returns the lines filled."""
    filled = []
    for line in lines:
        left = quantities.get(line.purchase_order_line_id, ZERO)
        take = min(left, line.quantity - line.received_quantity)
        if take > 0:
            line.received_quantity += take
            quantities[line.purchase_order_line_id] = left - take
            filled.append(line)
    return filled


def _po_lines(pks: set[int], received: list) -> list:
    """The PO lines ``pks`` as the receipt left them; a line of the received notice that
    nothing arrived for is read (locked by ``ship_notice_receive`` already)."""
    po_lines = {po_line.pk: po_line for po_line, _ in received if po_line.pk in pks}
    missing = pks - po_lines.keys()
    return [*po_lines.values(), *purchase_order_lines_for_update().filter(pk__in=missing)]
