"""The locking queryset of shipments (Saleor's lock_objects): only the shipment rows
(``of=("self",)``), in pk order. The order across tables is in docs/architecture.md,
"Locking order"; callers say why they lock."""

from django.db.models import QuerySet

from .models import Shipment


def shipments_for_update() -> QuerySet[Shipment]:
    return Shipment.objects.select_for_update(of=("self",)).order_by("pk")
