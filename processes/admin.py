from django.contrib import admin

from .models import ProcessRun, ProcessRunEvent, ProcessRunFailure
from .selectors import runs_visible_to


class FailureInline(admin.TabularInline):
    model = ProcessRunFailure
    extra = 0
    can_delete = False
    readonly_fields = ["source", "document_url", "reason", "recorded_at"]

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    """The run's timeline, as its page shows it."""

    model = ProcessRunEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "kind", "lines", "documents", "failures", "actor", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProcessRun)
class ProcessRunAdmin(admin.ModelAdmin):
    """The run log is written only by runs; the Scheduled Processes page queues them and
    django-celery-beat's Periodic tasks schedule them."""

    list_display = [
        "id",
        "process",
        "status",
        "trigger",
        "requested_by",
        "queued_at",
        "finished_at",
        "lines_done",
        "lines_total",
        "documents_made",
        "lines_failed",
    ]
    list_filter = ["process", "status", "trigger", "queued_at"]
    search_fields = ["id", "schedule_name", "requested_by__username"]
    list_select_related = ["requested_by"]
    inlines = [EventInline, FailureInline]
    readonly_fields = [field.name for field in ProcessRun._meta.fields]

    def get_queryset(self, request):
        return runs_visible_to(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
