"""API tokens in the admin: read-only (a key is never stored, so none can be shown or set);
an administrator revokes a token through the service, for a user who lost theirs."""

from django.contrib import admin

from b2b_portal.admin_actions import service_action

from .models import ApiToken
from .services import api_token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username", "prefix"]
    fields = list_display
    actions = [
        service_action(
            api_token_revoke,
            "token",
            description="Revoke the selected API tokens",
            permission="revoke",
            done="Revoked {count} {objects}.",
            noun="API token",
        )
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        return request.user.is_superuser
