"""How stock rows are locked, the same for every caller (Saleor's lock_objects).

Each lock takes only its own rows (``of=("self",)``: the item or warehouse joined by a filter
stay free). Balances are locked in item order (``balances_lock``) before any is moved, so two
receipts or shipments touching the same items in any order cannot deadlock. A reservation
belongs to one sales order line: it is locked only while that line's lock is held, after the
balance. The order across tables is in docs/architecture.md, "Locking order".
"""

from django.db.models import QuerySet

from catalog.models import Warehouse

from .models import OnHandBalance, Reservation


def balances_for_update() -> QuerySet[OnHandBalance]:
    return OnHandBalance.objects.select_for_update(of=("self",)).order_by("item_id", "pk")


def reservations_for_update() -> QuerySet[Reservation]:
    return Reservation.objects.select_for_update(of=("self",)).order_by("pk")


def balance_lock(*, item_id: int, warehouse: Warehouse) -> OnHandBalance:
    """The item's balance in the warehouse, locked; created empty the first time.

    Two first receipts of an item may both try to create it: ``get_or_create`` catches the
    loser's unique violation (``onhand_item_warehouse``) in a savepoint and locks the winner's.
    """
    balance, _ = balances_for_update().get_or_create(item_id=item_id, warehouse=warehouse)
    return balance


def balances_lock(*, item_ids, warehouse: Warehouse) -> None:
    """Lock, in item order, every balance an operation is about to move, before it moves
    any: two receipts or shipments touching the same items can then never deadlock."""
    for item_id in sorted(set(item_ids)):
        balance_lock(item_id=item_id, warehouse=warehouse)
