"""Supplier collaboration in the admin: an administrator names a supplier's users
(through ``supplier_contact_set``); acknowledgements, ship notices and supplier invoices
are read-only records written by the supplier's services. ``SupplierPurchaseOrder``, a
proxy, is in the purchase orders' admin."""

from django.contrib import admin

from b2b_portal.admin_actions import DocumentAdmin, ReadOnlyInline
from b2b_portal.admin_units import SHARED

from .models import (
    LineAcknowledgement,
    ShipNotice,
    ShipNoticeLine,
    SupplierContact,
    SupplierInvoice,
)
from .services import supplier_contact_set


@admin.register(SupplierContact)
class SupplierContactAdmin(DocumentAdmin):
    business_unit_path = SHARED
    list_display = ("user", "supplier", "created_at")
    list_select_related = ("user", "supplier")
    search_fields = ("user__username", "supplier__number", "supplier__name")
    add_fields = ("user", "supplier")

    def create_with_service(self, request, form, formsets):
        return supplier_contact_set(
            actor=request.user,
            user=form.cleaned_data["user"],
            supplier=form.cleaned_data["supplier"],
        )


@admin.register(LineAcknowledgement)
class LineAcknowledgementAdmin(DocumentAdmin):
    business_unit_path = "purchase_order__business_unit"
    list_display = ("__str__", "kind", "promised_date", "acknowledged_by", "created_at")
    list_filter = ("kind", "created_at")
    list_select_related = ("purchase_order_line__purchase_order", "acknowledged_by")
    search_fields = ("reason", "acknowledged_by__username")
    number_search = {"PO": "purchase_order_id"}


class ShipNoticeLineInline(ReadOnlyInline):
    model = ShipNoticeLine
    fields = ("purchase_order_line", "quantity")
    select_related = ("ship_notice", "purchase_order_line__purchase_order")


@admin.register(ShipNotice)
class ShipNoticeAdmin(DocumentAdmin):
    list_display = (
        "number",
        "business_unit",
        "purchase_order",
        "status",
        "ship_date",
        "expected_arrival",
        "carrier",
        "tracking_number",
    )
    list_filter = ("business_unit", "status", "expected_arrival")
    list_select_related = ("business_unit", "purchase_order")
    search_fields = ("carrier", "tracking_number")
    number_search = {"PO": "purchase_order_id"}
    inlines = (ShipNoticeLineInline,)


@admin.register(ShipNoticeLine)
class ShipNoticeLineAdmin(DocumentAdmin):
    business_unit_path = "ship_notice__business_unit"
    list_display = ("__str__", "ship_notice", "purchase_order_line", "quantity")
    list_select_related = ("ship_notice", "purchase_order_line__purchase_order")
    number_search = {"ASN": "ship_notice_id"}


@admin.register(SupplierInvoice)
class SupplierInvoiceAdmin(DocumentAdmin):
    business_unit_path = "purchase_order__business_unit"
    list_display = ("__str__", "purchase_order", "entered_by", "created_at")
    list_select_related = ("ap_invoice", "purchase_order", "entered_by")
    search_fields = ("ap_invoice__supplier_invoice_number", "entered_by__username")
    number_search = {"PO": "purchase_order_id", "AP": "ap_invoice_id"}
