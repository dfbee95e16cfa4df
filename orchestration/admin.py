from django.contrib import admin

from b2b_portal.admin_actions import DocumentAdmin, run_for_each_with_reason

from .models import BusinessException
from .services import exception_acknowledge, exception_cancel_with_supplier, exception_keep_as_stock


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

    def has_resolve_permission(self, request):
        return request.user.has_perm("procurement.change_purchaseorder")

    def _resolve(self, request, queryset, service, title: str):
        return run_for_each_with_reason(
            self,
            request,
            queryset,
            lambda exception, reason: service(
                actor=request.user, exception=exception, reason=reason
            ),
            title=title,
            done=f"{title}: {{count}} {{objects}} resolved.",
            noun="exception",
        )

    @admin.action(description="Cancel with supplier…", permissions=["resolve"])
    def cancel_with_supplier(self, request, queryset):
        return self._resolve(
            request, queryset, exception_cancel_with_supplier, "Cancel with supplier"
        )

    @admin.action(description="Keep as stock…", permissions=["resolve"])
    def keep_as_stock(self, request, queryset):
        return self._resolve(request, queryset, exception_keep_as_stock, "Keep as stock")

    @admin.action(description="Acknowledge…", permissions=["resolve"])
    def acknowledge(self, request, queryset):
        return self._resolve(request, queryset, exception_acknowledge, "Acknowledge")
