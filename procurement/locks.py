"""The locking querysets of the supply documents, one per table (Saleor's lock_objects).

Each takes only its own rows (``of=("self",)``: a filter or ``select_related()`` across a
join never locks the joined rows) in pk order, so that two services locking the same rows
queue behind each other instead of waiting in a circle. The order across tables is in
docs/architecture.md, "Locking order". Callers filter the queryset and say why they lock.
"""

from django.db.models import QuerySet

from .models import PurchaseOrder, PurchaseOrderLine, RequisitionLine, SupplyOrder


def purchase_orders_for_update() -> QuerySet[PurchaseOrder]:
    return PurchaseOrder.objects.select_for_update(of=("self",)).order_by("pk")


def purchase_order_lines_for_update() -> QuerySet[PurchaseOrderLine]:
    return PurchaseOrderLine.objects.select_for_update(of=("self",)).order_by("pk")


def requisition_lines_for_update() -> QuerySet[RequisitionLine]:
    return RequisitionLine.objects.select_for_update(of=("self",)).order_by("pk")


def supply_orders_for_update() -> QuerySet[SupplyOrder]:
    return SupplyOrder.objects.select_for_update(of=("self",)).order_by("pk")
