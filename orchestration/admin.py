from django.contrib import admin

from b2b_portal.admin_actions import DocumentAdmin, holds_permission, service_action_with_reason

from .models import BusinessException
from .services import exception_acknowledge, exception_cancel_with_supplier, exception_keep_as_stock


def _resolve_action(service, title: str):
    """Resolve the selected exceptions one way, each with the reason asked for."""
    return service_action_with_reason(
        service,
        "exception",
        description=f"{title}…",
        permission="resolve",
        title=title,
        done=f"{title}: {{count}} {{objects}} resolved.",
        noun="exception",
    )


@admin.register(BusinessException)
class BusinessExceptionAdmin(DocumentAdmin):
    """Exceptions are raised by the change services and resolved by the actions below (the
    same services as the Exceptions work area), each with a reason."""

    list_display = [
        "number",
        "kind",
        "status",
        "business_unit",
        "purchase_order_line",
        "sales_order_line",
        "message",
        "resolution",
        "created_at",
    ]
    list_filter = ["kind", "status", "resolution", "business_unit", "created_at"]
    search_fields = ["message", "resolution_reason"]
    list_select_related = [
        "business_unit",
        "purchase_order_line__purchase_order",
        "sales_order_line__order",
    ]
    number_search = {"PO": "purchase_order_line__purchase_order_id"}
    actions = ["cancel_with_supplier", "keep_as_stock", "acknowledge"]

    has_resolve_permission = holds_permission("procurement.change_purchaseorder")
    cancel_with_supplier = _resolve_action(exception_cancel_with_supplier, "Cancel with supplier")
    keep_as_stock = _resolve_action(exception_keep_as_stock, "Keep as stock")
    acknowledge = _resolve_action(exception_acknowledge, "Acknowledge")
