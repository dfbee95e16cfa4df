"""The locking queryset of shipments (Saleor's lock_objects): only the shipment rows
(``of=("self",)``), in pk order. The order across tables is in docs/architecture.md,
"Locking order"; callers say why they lock."""

from django.db.models import QuerySet

from .models import Shipment, ShipmentLine


def shipments_for_update() -> QuerySet[Shipment]:
    return Shipment.objects.select_for_update(of=("self",)).order_by("pk")


def shipment_lines_for_update() -> QuerySet[ShipmentLine]:
    """Taken right after their shipment: AutoInvoice locks the lines it invoices, so a
    reversal and an invoice of the same line wait for each other."""
    return ShipmentLine.objects.select_for_update(of=("self",)).order_by("pk")
