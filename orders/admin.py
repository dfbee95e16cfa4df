"""Sales orders: entered through ``sales_order_create``, booked and progressed by actions.

The header's status is derived from its lines (``orders.models.derive_order_status``);
the changelist computes it in the same query as the rows (``orders.selectors.
with_header_status``), so that the page does not read every order's lines.
"""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join

from b2b_portal.admin_actions import (
    DocumentAdmin,
    EntryLineInline,
    ProcessButton,
    ProcessRunsMixin,
    entered_lines,
    holds_permission,
    run_for_each,
    service_action,
    service_action_with_reason,
)
from b2b_portal.errors import ValidationRefused
from b2b_portal.fields import MoneyFormField
from orchestration.services import sales_order_cancel, sales_order_line_cancel
from procurement.services import orders_progress

from .models import LineStatus, SalesOrder, SalesOrderLine
from .selectors import filter_header_status, with_header_status
from .services import OrderLineInput, sales_order_book, sales_order_create

CANCEL_HELP = (
    "Kept on each line cancelled. Its supply is released by how far it has gone; the buyer "
    "is asked about supply the supplier already has."
)


class OrderStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return LineStatus.choices

    def queryset(self, request, queryset):
        value = self.value()
        return filter_header_status(queryset, value) if value else queryset


class SalesOrderLineEntryForm(forms.ModelForm):
    unit_selling_price = MoneyFormField(
        required=False,
        min_value=0,
        help_text="Leave blank for the item's list price.",
    )
    no_charge = forms.BooleanField(required=False, help_text="Confirms a unit price of 0.")


class SalesOrderLineInline(EntryLineInline):
    model = SalesOrderLine
    entry_fields = ("item", "quantity", "unit_selling_price", "no_charge")
    entry_form = SalesOrderLineEntryForm
    fields = (
        "line_number",
        "item",
        "quantity",
        "unit_selling_price",
        "requested_date",
        "status",
        "reserved_quantity",
        "shipped_quantity",
        "invoiced_quantity",
        "split_from",
        "cancel_reason",
    )
    autocomplete_fields = ("item",)
    select_related = ("order", "item", "split_from__order")


@admin.register(SalesOrder)
class SalesOrderAdmin(ProcessRunsMixin, DocumentAdmin):
    list_display = (
        "number",
        "business_unit",
        "customer",
        "customer_po_number",
        "warehouse",
        "ordered_date",
        "requested_date",
        "order_status",
        "booked_at",
    )
    list_filter = (
        OrderStatusFilter,
        "business_unit",
        "warehouse",
        "ordered_date",
        "requested_date",
        "booked_at",
    )
    list_select_related = ("business_unit", "customer", "warehouse")
    search_fields = ("customer__number", "customer__name", "customer_po_number")
    readonly_fields = ("order_status",)
    autocomplete_fields = ("customer", "warehouse")
    inlines = (SalesOrderLineInline,)
    add_fields = (
        "business_unit",
        "customer",
        "customer_po_number",
        "warehouse",
        "ordered_date",
        "requested_date",
    )
    actions = ("book_orders", "progress_orders", "cancel_orders")
    process_buttons = (ProcessButton("progress_order"),)

    def get_queryset(self, request):
        return with_header_status(super().get_queryset(request))

    @admin.display(description="status", ordering="header_rank")
    def order_status(self, obj):
        return getattr(obj, "header_status", None) or obj.get_status_display()

    def get_changeform_initial_data(self, request):
        return {
            "ordered_date": timezone.localdate(),
            **super().get_changeform_initial_data(request),
        }

    def create_with_service(self, request, form, formsets):
        header = form.cleaned_data
        return sales_order_create(
            actor=request.user,
            business_unit=header["business_unit"],
            customer=header["customer"],
            warehouse=header["warehouse"],
            ordered_date=header["ordered_date"],
            requested_date=header["requested_date"],
            customer_po_number=header["customer_po_number"],
            lines=[OrderLineInput.from_entry(line) for line in entered_lines(formsets[0])],
        )

    has_book_permission = holds_permission("orders.book_salesorder")
    has_progress_permission = holds_permission("procurement.progress_salesorderline")
    has_cancel_permission = holds_permission("orders.change_salesorderline")

    book_orders = service_action(
        sales_order_book,
        "sales_order",
        description="Book selected orders",
        permission="book",
        done="Booked {count} {objects}.",
    )
    cancel_orders = service_action_with_reason(
        sales_order_cancel,
        "sales_order",
        description="Cancel selected orders…",
        permission="cancel",
        title="Cancel orders",
        done="Cancelled the lines still open of {count} {objects}.",
        help_text=CANCEL_HELP,
    )

    @admin.action(description="Run Progress Order for selected orders", permissions=["progress"])
    def progress_orders(self, request, queryset):
        def progress(order):
            result = orders_progress(actor=request.user, sales_order=order)
            if not result.created:
                raise ValidationRefused(
                    f"{order} has no booked Back-to-Back line waiting for a supply order."
                )

        run_for_each(
            self, request, queryset, progress, done="Progress Order ran for {count} {objects}."
        )


@admin.register(SalesOrderLine)
class SalesOrderLineAdmin(DocumentAdmin):
    list_display = (
        "__str__",
        "item",
        "quantity",
        "unit_selling_price",
        "requested_date",
        "status",
        "reserved_quantity",
        "shipped_quantity",
        "invoiced_quantity",
    )
    list_filter = ("status", "order__business_unit", "requested_date")
    list_select_related = ("order", "item")
    search_fields = ("item__number", "order__customer__name", "order__customer_po_number")
    readonly_fields = ("supplied_by",)
    business_unit_path = "order__business_unit"
    number_search = {"SO": "order_id"}
    actions = ("cancel_lines",)

    has_cancel_permission = holds_permission("orders.change_salesorderline")
    cancel_lines = service_action_with_reason(
        sales_order_line_cancel,
        "sales_order_line",
        description="Cancel selected lines…",
        permission="cancel",
        title="Cancel order lines",
        done="Cancelled {count} {objects}.",
        noun="order line",
        help_text=CANCEL_HELP,
    )

    @admin.display(description="supplied by (the peg)")
    def supplied_by(self, obj):
        po_lines = obj.purchase_order_lines.select_related("purchase_order")
        return (
            format_html_join(
                ", ",
                '<a href="{}">{} ({})</a>',
                (
                    (
                        reverse("admin:procurement_purchaseorderline_change", args=[line.pk]),
                        line,
                        line.get_status_display(),
                    )
                    for line in po_lines
                ),
            )
            or "-"
        )
