"""Receipts: made only by ``receipt_create`` (which also reserves for the pegged line)."""

from django.contrib import admin

from b2b_portal.admin_actions import DocumentAdmin, ReadOnlyInline

from .models import Receipt, ReceiptLine


class ReceiptLineInline(ReadOnlyInline):
    model = ReceiptLine
    fields = ("purchase_order_line", "sales_order_line", "quantity", "reserved_quantity")
    select_related = (
        "receipt",
        "purchase_order_line__purchase_order",
        "sales_order_line__order",
    )


@admin.register(Receipt)
class ReceiptAdmin(DocumentAdmin):
    list_display = (
        "number",
        "business_unit",
        "purchase_order",
        "supplier",
        "warehouse",
        "received_by",
        "received_at",
        "packing_slip",
    )
    list_filter = ("business_unit", "warehouse", "received_at")
    list_select_related = (
        "business_unit",
        "purchase_order__supplier",
        "warehouse",
        "received_by",
    )
    search_fields = ("packing_slip", "purchase_order__supplier__number", "received_by__username")
    number_search = {"PO": "purchase_order_id"}
    inlines = (ReceiptLineInline,)

    @admin.display(description="supplier", ordering="purchase_order__supplier__name")
    def supplier(self, obj):
        return obj.purchase_order.supplier


@admin.register(ReceiptLine)
class ReceiptLineAdmin(DocumentAdmin):
    list_display = (
        "__str__",
        "purchase_order_line",
        "sales_order_line",
        "quantity",
        "reserved_quantity",
        "created_at",
    )
    list_filter = ("receipt__business_unit", "created_at")
    list_select_related = (
        "receipt",
        "purchase_order_line__purchase_order",
        "sales_order_line__order",
    )
    search_fields = ("purchase_order_line__item__number", "receipt__packing_slip")
    business_unit_path = "receipt__business_unit"
    number_search = {
        "RCV": "receipt_id",
        "PO": "purchase_order_line__purchase_order_id",
        "SO": "sales_order_line__order_id",
    }
