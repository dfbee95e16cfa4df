"""Master data: editable here, every change kept in history with the user who made it."""

from django.contrib import admin

from b2b_portal.admin_actions import HistoryAdmin

from .models import BusinessUnit, Customer, Item, Supplier, SupplierSite, Warehouse


@admin.register(BusinessUnit)
class BusinessUnitAdmin(HistoryAdmin):
    list_display = ("code", "name", "currency_code", "updated_at")
    search_fields = ("code", "name")
    filter_horizontal = ("members",)


@admin.register(Warehouse)
class WarehouseAdmin(HistoryAdmin):
    list_display = ("code", "name", "business_unit")
    list_filter = ("business_unit",)
    list_select_related = ("business_unit",)
    search_fields = ("code", "name")


@admin.register(Customer)
class CustomerAdmin(HistoryAdmin):
    list_display = ("number", "name", "business_unit", "active")
    list_filter = ("active", "business_unit")
    list_select_related = ("business_unit",)
    search_fields = ("number", "name")


class SupplierSiteInline(admin.TabularInline):
    model = SupplierSite
    fields = ("code", "address", "active")
    extra = 0


@admin.register(Supplier)
class SupplierAdmin(HistoryAdmin):
    list_display = ("number", "name", "price_tolerance_percent", "active")
    list_filter = ("active",)
    search_fields = ("number", "name")
    inlines = (SupplierSiteInline,)


@admin.register(SupplierSite)
class SupplierSiteAdmin(HistoryAdmin):
    list_display = ("__str__", "supplier", "code", "active")
    list_filter = ("active",)
    list_select_related = ("supplier",)
    search_fields = ("code", "supplier__number", "supplier__name")
    autocomplete_fields = ("supplier",)


@admin.register(Item)
class ItemAdmin(HistoryAdmin):
    list_display = (
        "number",
        "description",
        "business_unit",
        "unit_of_measure",
        "list_price",
        "currency_code",
        "back_to_back_enabled",
        "purchased",
        "purchasable",
        "stocked",
        "active",
    )
    list_filter = (
        "business_unit",
        "back_to_back_enabled",
        "purchased",
        "purchasable",
        "stocked",
        "active",
    )
    list_select_related = ("business_unit",)
    search_fields = ("number", "description")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "business_unit",
                    "number",
                    "description",
                    "unit_of_measure",
                    ("list_price", "currency_code"),
                    "active",
                )
            },
        ),
        (
            "Order Management",
            {
                "fields": ("back_to_back_enabled", "stocked"),
                "description": "A Back-to-Back line is bookable only when the item is "
                "Back-to-Back enabled, purchased and purchasable.",
            },
        ),
        ("Purchasing", {"fields": ("purchased", "purchasable")}),
    )
