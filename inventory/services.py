"""Stock movements and reservations.

Every movement writes an ``InventoryTransaction`` and moves the on-hand balance in the
same transaction, so on-hand always equals the sum of the transactions. Reserving for a
sales order line moves the line's ``reserved_quantity`` too and, when every open unit is
held, the line to Awaiting Shipping.

A document (a receipt, a ship confirm) moves all its lines as a set: it locks its balances
(``balances_lock``), moves them and its lines in memory with ``stock_receive``,
``reservations_add`` or ``reservations_issue`` (which write the transactions and the
reservations, an insert or an update for all lines), then writes the balances once
(``balances_save``): a constant number of statements, whatever the number of lines.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from b2b_portal.bulk_writes import bulk_create_with_history
from b2b_portal.errors import ValidationRefused
from b2b_portal.fields import ZERO, format_quantity
from b2b_portal.transitions import apply_transition, bulk_save_moved, stamp_history
from catalog.models import Item, Warehouse
from orders.models import LineStatus, SalesOrderLine
from orders.selectors import order_lines_filtered
from processes.batching import ProcessResult, process_in_chunks

from .locks import balance_lock, balances_lock, reservations_for_update
from .models import InventoryTransaction, OnHandBalance, Reservation, TransactionType


@dataclass(frozen=True)
class StockLine:
    """One line of a document that moves stock: ``quantity`` of an item, for a sales order
    line (none: ordinary stock, the receipt of a PO line whose demand was cancelled).
    ``source_reference``, when set, names its own document (a wave's shipments shipped in
    one call) instead of the call's."""

    item_id: int
    quantity: Decimal
    sales_order_line: SalesOrderLine | None = None
    source_reference: str = ""

    @classmethod
    def of(
        cls, sales_order_line: SalesOrderLine, quantity: Decimal, source_reference: str = ""
    ) -> "StockLine":
        return cls(sales_order_line.item_id, quantity, sales_order_line, source_reference)


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
    _movement(
        balance, transaction_type, quantity, source_reference, sales_order_line, actor=actor
    ).save()


def _movement(
    balance, transaction_type, quantity, source_reference, sales_order_line, *, actor
) -> InventoryTransaction:
    """The (unsaved) inventory transaction of ``quantity`` moving ``balance``'s on-hand."""
    return InventoryTransaction(
        item_id=balance.item_id,
        warehouse_id=balance.warehouse_id,
        transaction_type=transaction_type,
        quantity=quantity,
        source_reference=source_reference,
        sales_order_line=sales_order_line,
        created_by=actor,
    )


def balances_save(balances, *, actor, reason: str) -> None:
    """Write what a document moved on its locked balances (``balances_lock``): one update
    and one history row each, however many lines moved them."""
    fields = ["quantity", "reserved_quantity"]
    bulk_save_moved(list(balances), fields, actor=actor, reason=reason)


def stock_receive(*, actor, balances, lines: list[StockLine], source_reference: str) -> None:
    """Put received goods on hand: each line raises its item's locked balance (in memory;
    the caller writes them with ``balances_save``) and writes its inventory transaction,
    all in one insert."""
    movements = []
    for line in lines:
        balance = balances[line.item_id]
        balance.quantity += line.quantity
        movements.append(
            _movement(
                balance,
                TransactionType.PO_RECEIPT,
                line.quantity,
                source_reference,
                line.sales_order_line,
                actor=actor,
            )
        )
    InventoryTransaction.objects.bulk_create(movements)


def reservations_add(*, actor, warehouse: Warehouse, balances, lines: list[StockLine]) -> None:
    """Hold each line's ``quantity`` of on-hand for its sales order line and for nobody else.

    The caller has locked the sales order lines, then their balances (``balances_lock``),
    and writes both afterwards (``balances_save``; the lines with what else it moved): here
    their quantities and statuses move in memory, a fully reserved line to Awaiting
    Shipping. The reservations are locked, updated and inserted as a set.
    """
    for line in lines:
        sales_order_line, balance = line.sales_order_line, balances[line.item_id]
        if balance.available_quantity < line.quantity:
            raise ValidationRefused(
                f"Only {format_quantity(balance.available_quantity)} of "
                f"{sales_order_line.item.number} is available in {warehouse.code}; "
                f"{format_quantity(line.quantity)} cannot be reserved."
            )
        if sales_order_line.reserved_quantity + line.quantity > (
            sales_order_line.quantity - sales_order_line.shipped_quantity
        ):
            raise ValidationRefused(
                f"{sales_order_line} does not need {format_quantity(line.quantity)} more."
            )
        balance.reserved_quantity += line.quantity
        sales_order_line.reserved_quantity += line.quantity
        if sales_order_line.is_fully_reserved():
            apply_transition(sales_order_line, "mark_reserved", actor=actor, reason="reserved")
        else:
            stamp_history(sales_order_line, actor=actor, reason="partly reserved")
    # The lines' reservations, after their balances as in every stock service; the caller's
    # locks on the lines mean no other reservation of them is made meanwhile.
    held = _reservations_locked([line.sales_order_line for line in lines])
    new = []
    for line in lines:
        reservation = held.get(line.sales_order_line.pk)
        if reservation is None:
            reservation = Reservation(
                sales_order_line=line.sales_order_line, item_id=line.item_id, warehouse=warehouse
            )
            new.append(reservation)
        reservation.quantity += line.quantity
    bulk_create_with_history(new, Reservation, default_user=actor, default_change_reason="reserved")
    bulk_save_moved(list(held.values()), ["quantity"], actor=actor, reason="reserved")


def reservations_issue(*, actor, balances, lines: list[StockLine], source_reference: str) -> None:
    """Ship reserved stock: each line's reservation, on-hand and reserved quantity go down,
    its shipped quantity up. The caller has locked the sales order lines, then their
    balances (``balances_lock``), writes both afterwards and moves the lines' status; the
    reservations and the inventory transactions are written here as a set."""
    held = _reservations_locked([line.sales_order_line for line in lines])
    movements = []
    for line in lines:
        sales_order_line = line.sales_order_line
        reservation = held.get(sales_order_line.pk)
        if reservation is None or reservation.quantity < line.quantity:
            raise ValidationRefused(
                f"{sales_order_line} has only "
                f"{format_quantity(reservation.quantity if reservation else ZERO)} reserved; "
                f"{format_quantity(line.quantity)} cannot be shipped."
            )
        balance = balances[reservation.item_id]
        balance.reserved_quantity -= line.quantity
        balance.quantity -= line.quantity
        reservation.quantity -= line.quantity
        reference = line.source_reference or source_reference
        stamp_history(reservation, actor=actor, reason=f"shipped {reference}")
        sales_order_line.reserved_quantity -= line.quantity
        sales_order_line.shipped_quantity += line.quantity
        movements.append(
            _movement(
                balance,
                TransactionType.SALES_ISSUE,
                -line.quantity,
                reference,
                sales_order_line,
                actor=actor,
            )
        )
    bulk_save_moved(
        list(held.values()), ["quantity"], actor=actor, reason=f"shipped {source_reference}"
    )
    InventoryTransaction.objects.bulk_create(movements)


def _reservations_locked(sales_order_lines) -> dict[int, Reservation]:
    """The reservations of the (locked) sales order lines, locked, by sales order line."""
    reservations = reservations_for_update().filter(sales_order_line__in=sales_order_lines)
    return {reservation.sales_order_line_id: reservation for reservation in reservations}


def _reservation_locked(
    sales_order_line: SalesOrderLine,
) -> tuple[Reservation | None, OnHandBalance | None]:
    """The line's reservation and the balance it holds stock in, both locked: the balance
    first, the order of ``reservations_add``. The unlocked read only finds which balance;
    quantities are read under the lock."""
    reservation = Reservation.objects.filter(sales_order_line=sales_order_line).first()
    if reservation is None:
        return None, None
    balance = balance_lock(item_id=reservation.item_id, warehouse=reservation.warehouse)
    # Locked to move its quantity with the balance's, under the caller's lock on the line.
    return reservations_for_update().get(pk=reservation.pk), balance


@transaction.atomic
def reservation_restore(
    *, actor, sales_order_line: SalesOrderLine, quantity: Decimal, source_reference: str
) -> Reservation:
    """Take back what a reversed shipment issued (``reservations_issue`` undone): on-hand,
    the reservation and the line's reserved quantity go up, its shipped quantity down.
    The caller has locked ``sales_order_line`` and moves its status."""
    reservation, balance = _reservation_locked(sales_order_line)
    if reservation is None or sales_order_line.shipped_quantity < quantity:
        raise ValidationRefused(
            f"{sales_order_line} has only {format_quantity(sales_order_line.shipped_quantity)} "
            f"shipped; {format_quantity(quantity)} cannot come back."
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
    [reservation] = reservations_release(
        actor=actor,
        balances={balance.item_id: balance},
        lines=[StockLine.of(sales_order_line, quantity)],
    )
    balances_save([balance], actor=actor, reason=f"released from {sales_order_line}")
    return reservation


def reservations_release(*, actor, balances, lines: list[StockLine]) -> list[Reservation]:
    """Give back each line's ``quantity`` of its reservation: it becomes ordinary on-hand.
    The caller has locked the sales order lines and their balances, writes both and moves
    the lines' status; the reservations are locked and written here, as a set."""
    held = _reservations_locked([line.sales_order_line for line in lines])
    for line in lines:
        reservation = held[line.sales_order_line.pk]
        balances[reservation.item_id].reserved_quantity -= line.quantity
        reservation.quantity -= line.quantity
        line.sales_order_line.reserved_quantity -= line.quantity
    bulk_save_moved(list(held.values()), ["quantity"], actor=actor, reason="released")
    return [held[line.sales_order_line.pk] for line in lines]


@transaction.atomic
def stock_adjust(
    *, actor, item: Item, warehouse: Warehouse, quantity: Decimal, reason: str
) -> OnHandBalance:
    """Count stock in or out by hand (cycle count, opening balance)."""
    balance = balance_lock(item_id=item.pk, warehouse=warehouse)
    if balance.quantity + quantity < balance.reserved_quantity:
        raise ValidationRefused(
            f"{item.number} in {warehouse.code} has {format_quantity(balance.reserved_quantity)} "
            "reserved; "
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
        by_warehouse = defaultdict(list)
        for line in chunk:
            by_warehouse[line.order.warehouse].append(line)
        for warehouse, lines in by_warehouse.items():
            _reserve_from_stock(lines, warehouse=warehouse, actor=actor)
        return ProcessResult(
            examined=len(chunk),
            created=sum(line.status == LineStatus.AWAITING_SHIPPING for line in chunk),
        )

    return process_in_chunks(lines, handle, batch_size=batch_size, progress=progress)


def _reserve_from_stock(lines: list[SalesOrderLine], *, warehouse, actor) -> None:
    """Reserve what on-hand allows for locked stocked lines of one warehouse, in pk order,
    then move their status: one write for the balances, one for the lines."""
    balances = balances_lock(item_ids=[line.item_id for line in lines], warehouse=warehouse)
    available = {item_id: balance.available_quantity for item_id, balance in balances.items()}
    taken = []
    for line in lines:
        wanted = line.quantity - line.shipped_quantity - line.reserved_quantity
        if (quantity := min(wanted, available[line.item_id])) > 0:
            available[line.item_id] -= quantity
            taken.append(StockLine.of(line, quantity))
    reservations_add(actor=actor, warehouse=warehouse, balances=balances, lines=taken)
    moved = [line.sales_order_line for line in taken]
    for line in lines:
        if line.status == LineStatus.BOOKED:
            apply_transition(line, "backorder", actor=actor, reason="waiting for stock")
            moved.append(line)
    moved = list({line.pk: line for line in moved}.values())
    bulk_save_moved(moved, ["reserved_quantity", "status"], actor=actor, reason="reserved")
    balances_save(
        [balances[item_id] for item_id in {line.item_id for line in taken}],
        actor=actor,
        reason="reserved by Progress Order",
    )
