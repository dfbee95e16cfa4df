"""Stock movements and reservations.

Every movement writes an ``InventoryTransaction`` and moves the on-hand balance in the
same transaction, so on-hand always equals the sum of the transactions. Reserving for a
sales order line moves the line's ``reserved_quantity`` too and, when every open unit is
held, the line to Awaiting Shipping.
"""

from decimal import Decimal

from django.db import transaction

from b2b_portal.errors import ValidationRefused
from b2b_portal.transitions import apply_transition, stamp_history
from catalog.models import Item, Warehouse
from orders.models import LineStatus, SalesOrderLine
from orders.selectors import order_lines_filtered
from processes.batching import ProcessResult, process_in_chunks

from .locks import balance_lock, balances_lock, reservations_for_update
from .models import InventoryTransaction, OnHandBalance, Reservation, TransactionType


def _on_hand_move(
    balance: OnHandBalance,
    *,
    actor,
    transaction_type: str,
    quantity: Decimal,
    source_reference: str,
    history_reason: str,
    sales_order_line: SalesOrderLine | None = None,
) -> None:
    """Move the locked ``balance``'s on-hand by ``quantity`` (negative: out) and write its
    inventory transaction: on-hand stays the sum of the transactions."""
    balance.quantity += quantity
    stamp_history(balance, actor=actor, reason=history_reason)
    balance.save()
    InventoryTransaction.objects.create(
        item_id=balance.item_id,
        warehouse_id=balance.warehouse_id,
        transaction_type=transaction_type,
        quantity=quantity,
        source_reference=source_reference,
        sales_order_line=sales_order_line,
        created_by=actor,
    )


@transaction.atomic
def stock_receive(
    *,
    actor,
    item: Item,
    warehouse: Warehouse,
    quantity: Decimal,
    source_reference: str,
    sales_order_line: SalesOrderLine | None = None,
) -> OnHandBalance:
    """Put received goods on hand."""
    balance = balance_lock(item_id=item.pk, warehouse=warehouse)
    _on_hand_move(
        balance,
        actor=actor,
        transaction_type=TransactionType.PO_RECEIPT,
        quantity=quantity,
        source_reference=source_reference,
        history_reason=f"received {source_reference}",
        sales_order_line=sales_order_line,
    )
    return balance


@transaction.atomic
def reservation_add(
    *, actor, sales_order_line: SalesOrderLine, warehouse: Warehouse, quantity: Decimal
) -> Reservation:
    """Hold ``quantity`` of on-hand for this sales order line and for nobody else.

    The caller has locked ``sales_order_line``.
    """
    balance = balance_lock(item_id=sales_order_line.item_id, warehouse=warehouse)
    if balance.available_quantity < quantity:
        raise ValidationRefused(
            f"Only {balance.available_quantity} of {sales_order_line.item.number} is available "
            f"in {warehouse.code}; {quantity} cannot be reserved."
        )
    if sales_order_line.reserved_quantity + quantity > (
        sales_order_line.quantity - sales_order_line.shipped_quantity
    ):
        raise ValidationRefused(f"{sales_order_line} does not need {quantity} more.")
    balance.reserved_quantity += quantity
    stamp_history(balance, actor=actor, reason=f"reserved for {sales_order_line}")
    balance.save()

    # The line's reservation, after its balance as in every stock service; the caller's
    # lock on the line means no other reservation of it is made meanwhile.
    reservation = reservations_for_update().filter(
        sales_order_line=sales_order_line
    ).first() or Reservation(
        sales_order_line=sales_order_line, item=sales_order_line.item, warehouse=warehouse
    )
    reservation.quantity += quantity
    stamp_history(reservation, actor=actor, reason="reserved")
    reservation.save()

    sales_order_line.reserved_quantity += quantity
    if sales_order_line.is_fully_reserved():
        apply_transition(sales_order_line, "mark_reserved", actor=actor, reason="reserved")
    else:
        stamp_history(sales_order_line, actor=actor, reason="partly reserved")
    sales_order_line.save()
    return reservation


def _reservation_locked(
    sales_order_line: SalesOrderLine,
) -> tuple[Reservation | None, OnHandBalance | None]:
    """The line's reservation and the balance it holds stock in, both locked: the balance
    first, the order of ``reservation_add``. The unlocked read only finds which balance;
    quantities are read under the lock."""
    reservation = Reservation.objects.filter(sales_order_line=sales_order_line).first()
    if reservation is None:
        return None, None
    balance = balance_lock(item_id=reservation.item_id, warehouse=reservation.warehouse)
    # Locked to move its quantity with the balance's, under the caller's lock on the line.
    return reservations_for_update().get(pk=reservation.pk), balance


@transaction.atomic
def reservation_issue(
    *, actor, sales_order_line: SalesOrderLine, quantity: Decimal, source_reference: str
) -> Reservation:
    """Ship reserved stock: the reservation, on-hand and the line's reserved quantity go
    down, its shipped quantity up. The caller has locked ``sales_order_line`` and moves
    its status."""
    reservation, balance = _reservation_locked(sales_order_line)
    if reservation is None or reservation.quantity < quantity:
        held = reservation.quantity if reservation else 0
        raise ValidationRefused(
            f"{sales_order_line} has only {held} reserved; {quantity} cannot be shipped."
        )
    balance.reserved_quantity -= quantity
    _on_hand_move(
        balance,
        actor=actor,
        transaction_type=TransactionType.SALES_ISSUE,
        quantity=-quantity,
        source_reference=source_reference,
        history_reason=f"shipped {source_reference}",
        sales_order_line=sales_order_line,
    )
    reservation.quantity -= quantity
    stamp_history(reservation, actor=actor, reason=f"shipped {source_reference}")
    reservation.save()
    sales_order_line.reserved_quantity -= quantity
    sales_order_line.shipped_quantity += quantity
    return reservation


@transaction.atomic
def reservation_restore(
    *, actor, sales_order_line: SalesOrderLine, quantity: Decimal, source_reference: str
) -> Reservation:
    """Take back what a reversed shipment issued (``reservation_issue`` undone): on-hand,
    the reservation and the line's reserved quantity go up, its shipped quantity down.
    The caller has locked ``sales_order_line`` and moves its status."""
    reservation, balance = _reservation_locked(sales_order_line)
    if reservation is None or sales_order_line.shipped_quantity < quantity:
        raise ValidationRefused(
            f"{sales_order_line} has only {sales_order_line.shipped_quantity} shipped; "
            f"{quantity} cannot come back."
        )
    balance.reserved_quantity += quantity
    _on_hand_move(
        balance,
        actor=actor,
        transaction_type=TransactionType.SHIPMENT_REVERSAL,
        quantity=quantity,
        source_reference=source_reference,
        history_reason=f"reversed {source_reference}",
        sales_order_line=sales_order_line,
    )
    reservation.quantity += quantity
    stamp_history(reservation, actor=actor, reason=f"reversed {source_reference}")
    reservation.save()
    sales_order_line.reserved_quantity += quantity
    sales_order_line.shipped_quantity -= quantity
    return reservation


@transaction.atomic
def reservation_release(
    *, actor, sales_order_line: SalesOrderLine, quantity: Decimal | None = None
) -> Reservation | None:
    """Give back reserved stock (all of it by default): it becomes ordinary on-hand.
    The caller has locked ``sales_order_line`` and moves its status."""
    reservation, balance = _reservation_locked(sales_order_line)
    if reservation is None or not reservation.quantity:
        return reservation
    quantity = reservation.quantity if quantity is None else quantity
    balance.reserved_quantity -= quantity
    stamp_history(balance, actor=actor, reason=f"released from {sales_order_line}")
    balance.save()
    reservation.quantity -= quantity
    stamp_history(reservation, actor=actor, reason="released")
    reservation.save()
    sales_order_line.reserved_quantity -= quantity
    return reservation


@transaction.atomic
def stock_adjust(
    *, actor, item: Item, warehouse: Warehouse, quantity: Decimal, reason: str
) -> OnHandBalance:
    """Count stock in or out by hand (cycle count, opening balance)."""
    balance = balance_lock(item_id=item.pk, warehouse=warehouse)
    if balance.quantity + quantity < balance.reserved_quantity:
        raise ValidationRefused(
            f"{item.number} in {warehouse.code} has {balance.reserved_quantity} reserved; "
            "an adjustment cannot take on-hand below that."
        )
    _on_hand_move(
        balance,
        actor=actor,
        transaction_type=TransactionType.ADJUSTMENT,
        quantity=quantity,
        source_reference=reason[:60],
        history_reason=f"adjusted: {reason}",
    )
    return balance


def stocked_lines_reserve(
    *,
    actor,
    business_unit=None,
    sales_order=None,
    date_from=None,
    date_to=None,
    batch_size: int = 500,
    progress=None,
) -> ProcessResult:
    """Booked and backordered lines of stocked items take the available on-hand: fully
    served lines go to Awaiting Shipping, the others wait as Backordered (holding what
    they got) until stock arrives and the next run gives them the rest."""
    lines = order_lines_filtered(
        SalesOrderLine.objects.filter(
            status__in=[LineStatus.BOOKED, LineStatus.BACKORDERED],
            item__stocked=True,
            item__back_to_back_enabled=False,
        ),
        business_unit=business_unit,
        sales_order=sales_order,
        date_from=date_from,
        date_to=date_to,
    ).select_related("order__warehouse", "item")

    def handle(chunk: list[SalesOrderLine]) -> ProcessResult:
        result = ProcessResult(examined=len(chunk))
        warehouse_items = {(line.order.warehouse, line.item_id) for line in chunk}
        for warehouse in {warehouse for warehouse, _ in warehouse_items}:
            balances_lock(
                item_ids=[item for w, item in warehouse_items if w == warehouse],
                warehouse=warehouse,
            )
        for line in chunk:
            _reserve_from_stock(line, actor=actor)
            result.created += line.status == LineStatus.AWAITING_SHIPPING
        return result

    return process_in_chunks(lines, handle, batch_size=batch_size, progress=progress)


def _reserve_from_stock(line: SalesOrderLine, *, actor) -> None:
    """Reserve what on-hand allows for a locked stocked line, then move its status."""
    warehouse = line.order.warehouse
    balance = balance_lock(item_id=line.item_id, warehouse=warehouse)
    wanted = line.quantity - line.shipped_quantity - line.reserved_quantity
    taken = min(wanted, balance.available_quantity)
    if taken > 0:
        reservation_add(actor=actor, sales_order_line=line, warehouse=warehouse, quantity=taken)
    if line.status == LineStatus.BOOKED:
        apply_transition(line, "backorder", actor=actor, reason="waiting for stock")
        line.save()
