"""On-hand, inventory transactions and reservations: moved only by receiving and shipping
services, so everything here is read-only."""

from django.contrib import admin

from b2b_portal.admin_actions import DocumentAdmin, ServiceOwnedMixin
from b2b_portal.admin_units import UnitScopedMixin

from .models import InventoryTransaction, OnHandBalance, Reservation


@admin.register(OnHandBalance)
class OnHandBalanceAdmin(DocumentAdmin):
    list_display = ("item", "warehouse", "quantity", "reserved_quantity", "available", "updated_at")
    list_filter = ("warehouse", "warehouse__business_unit")
    list_select_related = ("item", "warehouse")
    search_fields = ("item__number", "item__description", "warehouse__code")
    readonly_fields = ("available",)
    business_unit_path = "warehouse__business_unit"

    @admin.display(description="available")
    def available(self, obj):
        return obj.available_quantity


@admin.register(InventoryTransaction)
class InventoryTransactionAdmin(ServiceOwnedMixin, UnitScopedMixin, admin.ModelAdmin):
    """Immutable movements (no history of their own: they are the history of on-hand)."""

    list_display = (
        "created_at",
        "transaction_type",
        "item",
        "warehouse",
        "quantity",
        "source_reference",
        "sales_order_line",
        "created_by",
    )
    list_filter = ("transaction_type", "warehouse", "created_at")
    list_select_related = ("item", "warehouse", "sales_order_line__order", "created_by")
    search_fields = ("item__number", "source_reference")
    business_unit_path = "warehouse__business_unit"
    number_search = {"SO": "sales_order_line__order_id"}


@admin.register(Reservation)
class ReservationAdmin(DocumentAdmin):
    list_display = ("sales_order_line", "item", "warehouse", "quantity", "updated_at")
    list_filter = ("warehouse", "updated_at")
    list_select_related = ("sales_order_line__order", "item", "warehouse")
    search_fields = ("item__number",)
    business_unit_path = "sales_order_line__order__business_unit"
    number_search = {"SO": "sales_order_line__order_id"}
