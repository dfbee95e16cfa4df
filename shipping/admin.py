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
    service_action_with_reason,
)
from catalog.models import Customer
from orders.models import SalesOrder
from orders.numbers import sales_order_number

from .corrections import pick_wave_unrelease, shipment_reverse, shipment_unrelease
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
    actions = ("unrelease",)
    add_form = PickReleaseAdminForm

    has_release_permission = holds_permission("shipping.add_pickwave")
    unrelease = service_action_with_reason(
        pick_wave_unrelease,
        "pick_wave",
        description="Un-release selected waves (their Released shipments)",
        permission="release",
        title="Un-release pick waves",
        done="Un-released {count} {objects}.",
        help_text="Every shipment still Released goes back; its lines stay reserved.",
    )
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
    fields = ("sales_order_line", "status", "released_quantity", "quantity")
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
        "correction_reason",
    )
    list_filter = ("status", "business_unit", "warehouse", "shipped_at")
    list_select_related = ("business_unit", "pick_wave", "customer", "warehouse", "shipped_by")
    search_fields = ("customer__number", "customer__name", "waybill")
    number_search = {"WAVE": "pick_wave_id"}
    inlines = (ShipmentLineInline,)
    actions = ("ship_confirm", "unrelease", "reverse")

    has_confirm_permission = holds_permission("shipping.confirm_shipment")
    has_release_permission = holds_permission("shipping.add_pickwave")
    ship_confirm = service_action(
        shipment_ship_confirm,
        "shipment",
        description="Ship confirm selected",
        permission="confirm",
        done="Ship confirmed {count} {objects}.",
    )
    unrelease = service_action_with_reason(
        shipment_unrelease,
        "shipment",
        description="Un-release selected shipments",
        permission="release",
        title="Un-release shipments",
        done="Un-released {count} {objects}.",
        help_text="The lines go back to Awaiting Shipping and keep their reservation.",
    )
    reverse = service_action_with_reason(
        shipment_reverse,
        "shipment",
        description="Reverse selected shipments",
        permission="confirm",
        title="Reverse shipments",
        done="Reversed {count} {objects}.",
        help_text="Before AR invoicing only: the goods come back on hand, reserved again.",
    )


@admin.register(ShipmentLine)
class ShipmentLineAdmin(DocumentAdmin):
    list_display = ("__str__", "sales_order_line", "status", "quantity", "created_at")
    list_filter = ("status", "shipment__business_unit", "created_at")
    list_select_related = ("shipment", "sales_order_line__order")
    search_fields = ("sales_order_line__item__number",)
    business_unit_path = "shipment__business_unit"
    number_search = {"SHP": "shipment_id", "SO": "sales_order_line__order_id"}
