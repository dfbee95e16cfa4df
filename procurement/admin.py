"""The supply side. Sourcing rules are master data; supply orders, requisitions and
purchase orders are made by the processes and moved by the buyer's actions."""

from django import forms
from django.contrib import admin, messages

from b2b_portal.admin_actions import (
    DocumentAdmin,
    ProcessButton,
    ProcessRunsMixin,
    ReadOnlyInline,
    holds_permission,
    service_action,
    service_action_with_reason,
)
from b2b_portal.admin_units import UnitScopedAdmin
from b2b_portal.errors import ApplicationError
from orchestration.services import Remainder, purchase_order_line_close_short

from .models import (
    PurchaseOrder,
    PurchaseOrderLine,
    Requisition,
    RequisitionLine,
    SourcingRule,
    SupplyOrder,
)
from .services import (
    purchase_order_approve,
    purchase_order_cancel,
    purchase_order_line_cancel,
    purchase_order_reject,
    purchase_order_submit,
    purchase_orders_create_from_requisitions,
    requisition_line_cancel,
)


class SourcingRuleForm(forms.ModelForm):
    def clean(self):
        cleaned_data = super().clean()
        supplier, site = cleaned_data.get("supplier"), cleaned_data.get("supplier_site")
        if supplier and site and site.supplier_id != supplier.pk:
            self.add_error("supplier_site", f"Site {site} belongs to another supplier.")
        return cleaned_data


@admin.register(SourcingRule)
class SourcingRuleAdmin(UnitScopedAdmin):
    business_unit_path = "item__business_unit"
    form = SourcingRuleForm
    list_display = (
        "item",
        "rank",
        "supplier",
        "supplier_site",
        "effective_from",
        "effective_to",
        "unit_cost",
        "currency_code",
        "lead_time_days",
        "auto_create_po",
    )
    list_filter = ("auto_create_po", "effective_from", "effective_to")
    list_select_related = ("item", "supplier", "supplier_site__supplier")
    search_fields = ("item__number", "supplier__number", "supplier__name")
    autocomplete_fields = ("item", "supplier", "supplier_site")


class RequisitionLineInline(ReadOnlyInline):
    model = RequisitionLine
    fields = (
        "supply_order",
        "sales_order_line",
        "item",
        "quantity",
        "supplier",
        "supplier_site",
        "unit_price",
        "need_by_date",
        "status",
    )
    select_related = (
        "requisition",
        "supply_order",
        "sales_order_line__order",
        "item",
        "supplier",
        "supplier_site__supplier",
    )


@admin.register(SupplyOrder)
class SupplyOrderAdmin(ProcessRunsMixin, DocumentAdmin):
    list_display = (
        "number",
        "business_unit",
        "sales_order_line",
        "item",
        "quantity",
        "warehouse",
        "order_date",
        "need_by_date",
        "status",
        "exception_reason",
    )
    list_filter = ("status", "business_unit", "order_date", "need_by_date")
    list_select_related = ("business_unit", "sales_order_line__order", "item", "warehouse")
    search_fields = ("item__number", "exception_reason")
    number_search = {"SO": "sales_order_line__order_id"}
    inlines = (RequisitionLineInline,)
    process_buttons = (ProcessButton("generate_supply_orders"),)


@admin.register(Requisition)
class RequisitionAdmin(DocumentAdmin):
    list_display = ("number", "business_unit", "preparer", "description", "created_at")
    list_filter = ("business_unit", "created_at")
    list_select_related = ("business_unit", "preparer")
    search_fields = ("description", "preparer__username")
    inlines = (RequisitionLineInline,)


@admin.register(RequisitionLine)
class RequisitionLineAdmin(ProcessRunsMixin, DocumentAdmin):
    list_display = (
        "__str__",
        "supply_order",
        "sales_order_line",
        "item",
        "quantity",
        "supplier",
        "unit_price",
        "need_by_date",
        "auto_create",
        "status",
    )
    list_filter = (
        "status",
        "requisition__business_unit",
        "sourcing_rule__auto_create_po",
        "need_by_date",
    )
    list_select_related = (
        "requisition",
        "supply_order",
        "sales_order_line__order",
        "item",
        "supplier",
        "sourcing_rule",
    )
    search_fields = ("item__number", "supplier__number", "supplier__name")
    business_unit_path = "requisition__business_unit"
    number_search = {
        "REQ": "requisition_id",
        "SUP": "supply_order_id",
        "SO": "sales_order_line__order_id",
    }
    actions = ("create_purchase_orders", "cancel_requisition_lines")
    process_buttons = (ProcessButton("autocreate_purchase_orders"),)

    has_cancel_permission = holds_permission("procurement.change_purchaseorder")
    cancel_requisition_lines = service_action_with_reason(
        requisition_line_cancel,
        "requisition_line",
        description="Cancel selected lines…",
        permission="cancel",
        title="Cancel requisition lines",
        done="Cancelled {count} {objects}; the next Generate Supply Orders sources them again.",
        noun="requisition line",
        help_text="Only lines not yet on a purchase order can be cancelled.",
    )

    @admin.display(description="AutoCreate", boolean=True)
    def auto_create(self, obj):
        return obj.sourcing_rule.auto_create_po

    def has_create_po_permission(self, request):
        return request.user.has_perm("procurement.add_purchaseorder")

    @admin.action(
        description="Create purchase orders from selected lines", permissions=["create_po"]
    )
    def create_purchase_orders(self, request, queryset):
        # One call for all the lines: the service groups them into one PO per supplier.
        try:
            orders = purchase_orders_create_from_requisitions(
                actor=request.user, requisition_lines=list(queryset.order_by("pk"))
            )
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        names = ", ".join(str(order) for order in orders)
        self.message_user(
            request, f"Created {len(orders)} draft purchase orders: {names}.", messages.SUCCESS
        )


class PurchaseOrderLineInline(ReadOnlyInline):
    model = PurchaseOrderLine
    fields = (
        "line_number",
        "sales_order_line",
        "item",
        "quantity",
        "unit_price",
        "promised_date",
        "received_quantity",
        "billed_quantity",
        "status",
    )
    select_related = ("purchase_order", "sales_order_line__order", "item")


CANCEL_HELP = (
    "Only open lines with nothing received are cancelled. Each pegged order line's supply "
    "order waits in the Exceptions work area to be re-sourced or its demand cancelled."
)


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(DocumentAdmin):
    list_display = (
        "number",
        "business_unit",
        "supplier",
        "supplier_site",
        "currency_code",
        "status",
        "buyer",
        "submitted_at",
        "approved_by",
        "approved_at",
        "created_at",
    )
    list_filter = ("status", "business_unit", "created_at", "submitted_at", "approved_at")
    list_select_related = (
        "business_unit",
        "supplier",
        "supplier_site__supplier",
        "buyer",
        "approved_by",
    )
    search_fields = ("supplier__number", "supplier__name", "buyer__username")
    readonly_fields = ("total_amount",)
    inlines = (PurchaseOrderLineInline,)
    actions = ("submit_orders", "approve_orders", "reject_orders", "cancel_orders")

    has_submit_permission = holds_permission("procurement.change_purchaseorder")
    has_approve_permission = holds_permission("procurement.approve_purchaseorder")

    submit_orders = service_action(
        purchase_order_submit,
        "purchase_order",
        description="Submit selected orders for approval",
        permission="submit",
        done="Submitted {count} {objects} for approval.",
    )
    approve_orders = service_action(
        purchase_order_approve,
        "purchase_order",
        description="Approve selected orders",
        permission="approve",
        done="Approved {count} {objects}; they are open for receiving.",
    )
    reject_orders = service_action_with_reason(
        purchase_order_reject,
        "purchase_order",
        description="Reject selected orders…",
        permission="approve",
        title="Reject purchase orders",
        done="Rejected {count} {objects}; they are back to Draft.",
        help_text="The buyer sees this reason on the purchase order.",
    )
    cancel_orders = service_action_with_reason(
        purchase_order_cancel,
        "purchase_order",
        description="Cancel selected orders…",
        permission="submit",
        title="Cancel purchase orders",
        done="Cancelled the open lines of {count} {objects}; their supply waits for a buyer.",
        help_text=CANCEL_HELP,
    )


def _close_short_action(remainder: str, rest: str):
    """Close PO lines short at what was received; the rest is resupplied or cancelled."""
    return service_action_with_reason(
        purchase_order_line_close_short,
        "purchase_order_line",
        remainder=remainder,
        description=f"Close selected lines short (rest {rest})…",
        permission="close_short",
        title=f"Close purchase order lines short (the rest is {rest})",
        done=f"Closed {{count}} {{objects}} for receiving at what was received; "
        f"the rest is {rest}.",
        noun="purchase order line",
        help_text="The order line of each is split: the received part goes on to shipping.",
    )


@admin.register(PurchaseOrderLine)
class PurchaseOrderLineAdmin(DocumentAdmin):
    list_display = (
        "__str__",
        "sales_order_line",
        "item",
        "quantity",
        "unit_price",
        "promised_date",
        "received_quantity",
        "billed_quantity",
        "status",
    )
    list_filter = ("status", "purchase_order__business_unit", "promised_date")
    list_select_related = ("purchase_order", "sales_order_line__order", "item")
    search_fields = ("item__number", "purchase_order__supplier__name")
    business_unit_path = "purchase_order__business_unit"
    number_search = {"PO": "purchase_order_id", "SO": "sales_order_line__order_id"}
    actions = ("close_short_resupply", "close_short_cancel", "cancel_lines", "cancel_by_supplier")

    has_close_short_permission = holds_permission("procurement.change_purchaseorder")
    cancel_lines = service_action_with_reason(
        purchase_order_line_cancel,
        "purchase_order_line",
        description="Cancel selected lines (by the buyer)…",
        permission="close_short",
        title="Cancel purchase order lines",
        done="Cancelled {count} {objects}; their supply waits for a buyer.",
        noun="purchase order line",
        help_text=CANCEL_HELP,
    )
    cancel_by_supplier = service_action_with_reason(
        purchase_order_line_cancel,
        "purchase_order_line",
        on_supplier_word=True,
        description="Cancel selected lines (on the supplier's word)…",
        permission="close_short",
        title="Cancel purchase order lines on the supplier's word",
        done="Cancelled {count} {objects}; their supply waits for a buyer.",
        noun="purchase order line",
        help_text=CANCEL_HELP,
    )
    close_short_resupply = _close_short_action(Remainder.RESUPPLY, "resupplied")
    close_short_cancel = _close_short_action(Remainder.CANCEL, "cancelled")
