from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import BusinessException


@admin.register(BusinessException)
class BusinessExceptionAdmin(SimpleHistoryAdmin):
    """Exceptions are raised and resolved by services (the Exceptions work area)."""

    list_display = ["number", "kind", "status", "business_unit", "message", "created_at"]
    list_filter = ["kind", "status", "business_unit", "created_at"]
    search_fields = ["message", "resolution_reason"]
    list_select_related = ["business_unit"]
    readonly_fields = [field.name for field in BusinessException._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
