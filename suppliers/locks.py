"""Locking queryset of the ship notices (docs/architecture.md, "Locking order"): a ship
notice is locked after its purchase order and PO lines."""

from django.db.models import QuerySet

from .models import ShipNotice


def ship_notices_for_update() -> QuerySet[ShipNotice]:
    return ShipNotice.objects.select_for_update(of=("self",)).order_by("pk")
