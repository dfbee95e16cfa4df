"""Master data: editable here, every change kept in history with the user who made it.

Items, customers and warehouses belong to a business unit and are read and changed only
by users of that unit (with the model's permission); suppliers and their sites are shared
by every unit and changed only by an administrator (``b2b_portal.admin_units``)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q

from b2b_portal.admin_units import SHARED, UnitScopedAdmin
from catalog.units import business_units_of

from .models import BusinessUnit, Customer, Item, Supplier, SupplierSite, Warehouse


class AssignedBuyerMixin:
    """An item's or supplier's buyer is chosen among the users who may create purchase
    orders (procurement.services.purchase_orders makes them the PO's buyer)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "buyer":
            buys = Q(
                groups__permissions__content_type__app_label="procurement",
                groups__permissions__codename="add_purchaseorder",
            )
            kwargs["queryset"] = get_user_model().objects.filter(buys, is_active=True).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(BusinessUnit)
class BusinessUnitAdmin(UnitScopedAdmin):
    list_display = ("code", "name", "currency_code", "updated_at")
    search_fields = ("code", "name")
    filter_horizontal = ("members",)

    def scope(self, queryset, user):
        return queryset.filter(pk__in=business_units_of(user))

    def _may_write(self, request) -> bool:
        # A unit, its members and currency are the administrator's to change.
        return request.user.is_superuser


@admin.register(Warehouse)
class WarehouseAdmin(UnitScopedAdmin):
    list_display = ("code", "name", "business_unit")
    list_filter = ("business_unit",)
    list_select_related = ("business_unit",)
    search_fields = ("code", "name")


@admin.register(Customer)
class CustomerAdmin(UnitScopedAdmin):
    list_display = ("number", "name", "business_unit", "active")
    list_filter = ("active", "business_unit")
    list_select_related = ("business_unit",)
    search_fields = ("number", "name")


class SupplierSiteInline(admin.TabularInline):
    model = SupplierSite
    fields = ("code", "address", "active")
    extra = 0


@admin.register(Supplier)
class SupplierAdmin(AssignedBuyerMixin, UnitScopedAdmin):
    business_unit_path = SHARED
    list_display = ("number", "name", "price_tolerance_percent", "active")
    list_filter = ("active",)
    search_fields = ("number", "name")
    inlines = (SupplierSiteInline,)


@admin.register(SupplierSite)
class SupplierSiteAdmin(UnitScopedAdmin):
    business_unit_path = SHARED
    list_display = ("__str__", "supplier", "code", "active")
    list_filter = ("active",)
    list_select_related = ("supplier",)
    search_fields = ("code", "supplier__number", "supplier__name")
    autocomplete_fields = ("supplier",)


@admin.register(Item)
class ItemAdmin(AssignedBuyerMixin, UnitScopedAdmin):
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
                    "tax_rate",
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
        (
            "Purchasing",
            {
                "fields": ("purchased", "purchasable", "buyer"),
                "description": "The buyer of the item's purchase orders; empty: the "
                "supplier's buyer.",
            },
        ),
    )
