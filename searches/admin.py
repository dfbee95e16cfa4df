"""Saved searches in the admin: read-only, like every record that is not master data; a
user saves, replaces and deletes their own from the list pages."""

from django.contrib import admin

from .models import SavedSearch


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "list_name", "query", "created_at"]
    list_filter = ["list_name"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username", "list_name"]
    fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
