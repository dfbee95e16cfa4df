"""Pick waves and shipments: a pick wave is made by ``pick_release`` (the add page),
shipments are ship confirmed by an action."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect

from b2b_portal.admin_actions import (
    DocumentAdmin,
    ReadOnlyInline,
    holds_permission,
    service_action,
)
from catalog.models import Customer
from orders.models import SalesOrder
from orders.numbers import sales_order_number

from .models import PickWave, Shipment, ShipmentLine
from .services import pick_release, shipment_ship_confirm


class PickReleaseAdminForm(forms.ModelForm):
    """The admin's Pick Release (its add page): the business unit and warehouse, and
    optionally a customer, one sales order and the latest requested date."""

    customer = forms.ModelChoiceField(
        queryset=Customer.objects.all(),
        required=False,
        widget=AutocompleteSelect(Shipment._meta.get_field("customer"), admin.site),
    )
    sales_order = forms.CharField(required=False, max_length=20, help_text="For example SO-000123.")
    requested_by = forms.DateField(
        required=False,
        widget=admin.widgets.AdminDateWidget,
        help_text="Only lines requested on or before this date.",
    )

    def clean_sales_order(self):
        number = self.cleaned_data["sales_order"].strip()
        if not number:
            return None
        order = SalesOrder.objects.filter(pk=sales_order_number(number)).first()
        if order is None:
            raise forms.ValidationError(f"There is no sales order {number}.")
        return order


class ShipmentInline(ReadOnlyInline):
    model = Shipment
    fields = ("customer", "status", "shipped_by", "shipped_at", "waybill")
    select_related = ("customer", "shipped_by")


@admin.register(PickWave)
class PickWaveAdmin(DocumentAdmin):
    list_display = ("number", "business_unit", "warehouse", "released_by", "created_at")
    list_filter = ("business_unit", "warehouse", "created_at")
    list_select_related = ("business_unit", "warehouse", "released_by")
    search_fields = ("released_by__username", "warehouse__code")
    autocomplete_fields = ("warehouse",)
    inlines = (ShipmentInline,)
    add_form = PickReleaseAdminForm
    add_fields = ("business_unit", "warehouse", "customer", "sales_order", "requested_by")

    def add_view(self, request, form_url="", extra_context=None):
        return super().add_view(
            request, form_url, {"title": "Pick release", **(extra_context or {})}
        )

    def create_with_service(self, request, form, formsets):
        criteria = form.cleaned_data
        return pick_release(
            actor=request.user,
            business_unit=criteria["business_unit"],
            warehouse=criteria["warehouse"],
            customer=criteria["customer"],
            sales_order=criteria["sales_order"],
            requested_by=criteria["requested_by"],
        )


class ShipmentLineInline(ReadOnlyInline):
    model = ShipmentLine
    fields = ("sales_order_line", "quantity")
    select_related = ("shipment", "sales_order_line__order")


@admin.register(Shipment)
class ShipmentAdmin(DocumentAdmin):
    list_display = (
        "number",
        "business_unit",
        "pick_wave",
        "customer",
        "warehouse",
        "status",
        "shipped_by",
        "shipped_at",
        "waybill",
    )
    list_filter = ("status", "business_unit", "warehouse", "shipped_at")
    list_select_related = ("business_unit", "pick_wave", "customer", "warehouse", "shipped_by")
    search_fields = ("customer__number", "customer__name", "waybill")
    number_search = {"WAVE": "pick_wave_id"}
    inlines = (ShipmentLineInline,)
    actions = ("ship_confirm",)

    has_confirm_permission = holds_permission("shipping.confirm_shipment")
    ship_confirm = service_action(
        shipment_ship_confirm,
        "shipment",
        description="Ship confirm selected",
        permission="confirm",
        done="Ship confirmed {count} {objects}.",
    )


@admin.register(ShipmentLine)
class ShipmentLineAdmin(DocumentAdmin):
    list_display = ("__str__", "sales_order_line", "quantity", "created_at")
    list_filter = ("shipment__status", "shipment__business_unit", "created_at")
    list_select_related = ("shipment", "sales_order_line__order")
    search_fields = ("sales_order_line__item__number",)
    business_unit_path = "shipment__business_unit"
    number_search = {"SHP": "shipment_id", "SO": "sales_order_line__order_id"}
