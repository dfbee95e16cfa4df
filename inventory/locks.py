"""How stock rows are locked, the same for every caller (Saleor's lock_objects).

Each lock takes only its own rows (``of=("self",)``: the item or warehouse joined by a filter
stay free). Balances are locked in item order (``balances_lock``) before any is moved, so two
receipts or shipments touching the same items in any order cannot deadlock. A reservation
belongs to one sales order line: it is locked only while that line's lock is held, after the
balance. The order across tables is in docs/architecture.md, "Locking order".
"""

from django.db.models import QuerySet
from simple_history.utils import bulk_create_with_history

from catalog.models import Warehouse

from .models import OnHandBalance, Reservation


def balances_for_update() -> QuerySet[OnHandBalance]:
    return OnHandBalance.objects.select_for_update(of=("self",)).order_by("item_id", "pk")


def reservations_for_update() -> QuerySet[Reservation]:
    return Reservation.objects.select_for_update(of=("self",)).order_by("pk")


def balance_lock(*, item_id: int, warehouse: Warehouse) -> OnHandBalance:
    """The item's balance in the warehouse, locked; created empty the first time."""
    return balances_lock(item_ids=[item_id], warehouse=warehouse)[item_id]


def balances_lock(*, item_ids, warehouse: Warehouse) -> dict[int, OnHandBalance]:
    """Lock, in item order, every balance an operation is about to move, before it moves
    any: two receipts or shipments touching the same items can then never deadlock.
    Returns them by item id; three statements however many items.

    A missing balance is inserted empty first (with its history row): two first receipts
    of an item may both try, and ``ON CONFLICT DO NOTHING`` lets the loser wait for the
    winner's row (``onhand_item_warehouse``) instead of failing. Only then are they all
    locked, by one ``SELECT ... ORDER BY item_id FOR UPDATE``.
    """
    item_ids = sorted(set(item_ids))
    balances = OnHandBalance.objects.filter(warehouse=warehouse, item_id__in=item_ids)
    existing = set(balances.values_list("item_id", flat=True))
    if missing := [item_id for item_id in item_ids if item_id not in existing]:
        bulk_create_with_history(
            [OnHandBalance(item_id=item_id, warehouse=warehouse) for item_id in missing],
            OnHandBalance,
            ignore_conflicts=True,
        )
    locked = balances_for_update().filter(warehouse=warehouse, item_id__in=item_ids)
    return {balance.item_id: balance for balance in locked}
