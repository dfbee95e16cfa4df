"""The Scheduled Processes page: the run log and the schedules (pause, resume), one run's
detail with live progress, Schedule New Process, and the background machinery's health
(a page, and JSON for monitoring)."""

from functools import lru_cache

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.forms.utils import pretty_name
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView
from django_celery_beat.models import PeriodicTask

from b2b_portal.errors import ApplicationError
from b2b_portal.lists import LastPageMixin
from b2b_portal.row_urls import url_for_each
from b2b_portal.web import OnceOnlyFormMixin
from orders.forms import SalesOrderNumberField
from orders.models import SalesOrder

from .forms import RunFilterForm, ScheduleProcessForm
from .health import machinery_health
from .models import ProcessRun
from .registry import OPERATIONS_PERMISSION
from .schedules import (
    SCHEDULE_PAUSED,
    SCHEDULE_RESUMED,
    STEER_PERMISSION,
    next_run_at,
    process_schedule_create,
    process_schedule_pause,
    process_schedule_resume,
    schedule_visible_to,
    schedules_visible_to,
)
from .selectors import runs_visible_to
from .services import process_run_queue


def parameters_described(runs) -> dict[int, list[tuple[str, str]]]:
    """(label, text) per parameter of each run, labelled as on Schedule New Process, with the
    rows named rather than their ids (one query per kind of row, whatever the runs); a run
    without a business unit went over every unit."""
    ids: dict[str, set] = {}
    for run in runs:
        for key, value in run.parameters.items():
            if _parameter(key)[1] is not None:
                ids.setdefault(key, set()).add(value)
    rows = {key: _parameter(key)[1].objects.in_bulk(list(values)) for key, values in ids.items()}
    described = {}
    for run in runs:
        described[run.pk] = []
        for key, value in {"business_unit": None, **run.parameters}.items():
            label = _parameter(key)[0]
            if key == "business_unit" and value is None:
                text = "Every unit"
            elif key in rows:
                text = str(rows[key].get(value) or f"{value} (deleted)")
            else:
                text = str(value)
            described[run.pk].append((label, text))
    return described


@lru_cache(maxsize=64)
def _parameter(key: str) -> tuple[str, type | None]:
    """A run parameter's label on Schedule New Process and the model whose ids it stores
    (None: a plain value), looked up once per key rather than per run."""
    field = ScheduleProcessForm.base_fields.get(key)
    label = field.label if field is not None and field.label else pretty_name(key)
    return label, _model_of(field)


def _model_of(field):
    """The model whose ids a form field stores in a run's parameters, if any."""
    if isinstance(field, forms.ModelChoiceField):
        return field.queryset.model
    if isinstance(field, SalesOrderNumberField):
        return SalesOrder
    return None


HEALTH_TOKEN_REFUSED = "The health token is wrong or not configured (HEALTH_TOKEN)."


class ProcessesPermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "processes.view_processrun"


# What the run log reads of a run (``run_rows``): a run's checkpoint and the user's every
# field are decoded for nothing on each of the page's 50 rows.
RUN_LOG_READS = (
    "process",
    "parameters",
    "status",
    "trigger",
    "queued_at",
    "finished_at",
    "lines_done",
    "lines_total",
    "documents_made",
    "lines_failed",
    "requested_by__username",
)


class RunListView(ProcessesPermissionMixin, LastPageMixin, ListView):
    template_name = "processes/run_list.html"
    paginate_by = 50

    def get_queryset(self):
        runs = (
            runs_visible_to(self.request.user)
            .select_related("requested_by")
            .only(*RUN_LOG_READS)
            .order_by("-pk")
        )
        self.filters = RunFilterForm(self.request.GET or None)
        if self.filters.is_valid():
            data = self.filters.cleaned_data
            if data["process"]:
                runs = runs.filter(process=data["process"])
            if data["status"]:
                runs = runs.filter(status=data["status"])
            if data["queued_from"]:
                runs = runs.filter(queued_at__date__gte=data["queued_from"])
            if data["queued_to"]:
                runs = runs.filter(queued_at__date__lte=data["queued_to"])
        return runs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filters=self.filters, **kwargs)
        context["runs"] = run_rows(context["object_list"])
        if self.request.user.has_perm("django_celery_beat.view_periodictask"):
            context["schedules"] = schedules_visible_to(self.request.user)
        return context


def run_rows(runs) -> list[dict]:
    """The run log's rows as the page prints them, in one pass: a URL reversed once, each
    label looked up once, dates formatted by ``strftime``; a template that did it per cell
    spent most of the page's time on 50 rows."""
    described = parameters_described(runs)
    run_url = url_for_each("processes:run_detail")
    statuses = dict(ProcessRun._meta.get_field("status").flatchoices)
    triggers = dict(ProcessRun._meta.get_field("trigger").flatchoices)
    return [
        {
            "pk": run.pk,
            "url": run_url(run.pk),
            "process": run.get_process_display(),
            "parameters": "; ".join(f"{label}: {text}" for label, text in described[run.pk]),
            "status": statuses.get(run.status, run.status),
            "started_by": (
                run.requested_by.get_username()
                if run.requested_by
                else triggers.get(run.trigger, run.trigger)
            ),
            "queued": _local(run.queued_at),
            "finished": _local(run.finished_at) or "—",
            "lines_done": run.lines_done,
            "lines_total": run.lines_total,
            "documents_made": run.documents_made,
            "lines_failed": run.lines_failed,
        }
        for run in runs
    ]


def _local(moment) -> str:
    """``moment|date:"Y-m-d H:i:s"`` (empty for None)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


class RunDetailView(ProcessesPermissionMixin, DetailView):
    context_object_name = "run"

    def get_queryset(self):
        return runs_visible_to(self.request.user)

    def get_template_names(self):
        # htmx polls only the progress block while the run is going.
        if self.request.htmx:
            return ["processes/_run_progress.html"]
        return ["processes/run_detail.html"]

    def get_context_data(self, **kwargs):
        failures = self.object.failures.all()[:500]
        parameters = parameters_described([self.object])[self.object.pk]
        return super().get_context_data(failures=failures, parameters=parameters, **kwargs)


class ScheduleProcessView(ProcessesPermissionMixin, OnceOnlyFormMixin, FormView):
    """Once only: a double click on Submit queues one run or makes one schedule."""

    form_class = ScheduleProcessForm

    def get_template_names(self):
        # htmx asks for the chosen process's parameters alone when the process changes.
        if self.request.htmx:
            return ["processes/_schedule_parameters.html"]
        return ["processes/schedule.html"]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        """The process asked for (``?process=``) and, when htmx swaps in another process's
        parameters, the values already typed."""
        fields = ScheduleProcessForm.base_fields
        return {
            name: value
            for name, value in self.request.GET.items()
            if name in fields and name != "submission_token"
        }

    def form_valid_once(self, form):
        data = form.cleaned_data
        user = self.request.user
        if data["repeat"] == "once":
            run = process_run_queue(
                process=form.definition.code, parameters=form.parameters(), requested_by=user
            )
            messages.success(self.request, f"{run} is queued.")
            return redirect("processes:run_detail", pk=run.pk)
        if not user.has_perm("django_celery_beat.add_periodictask"):
            raise PermissionDenied
        schedule = process_schedule_create(
            actor=user,
            process=form.definition.code,
            parameters=form.parameters(),
            every_minutes=data.get("every_minutes") if data["repeat"] == "interval" else None,
            daily_at=data.get("daily_at") if data["repeat"] == "daily" else None,
        )
        messages.success(self.request, f"Scheduled: {schedule.name}.")
        return redirect("processes:run_list")


class ScheduleSteerView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST: pause or resume one schedule the user may see (another unit's is a 404)."""

    permission_required = STEER_PERMISSION
    http_method_names = ["post"]
    model = PeriodicTask

    def post(self, request, pk):
        task = schedule_visible_to(request.user, pk)
        if task is None:
            raise Http404
        try:
            task = self.steer(actor=request.user, schedule_id=task.pk)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, self.success_message(task))
        return redirect(f"{reverse('processes:run_list')}#schedules")


class SchedulePauseView(ScheduleSteerView):
    steer = staticmethod(process_schedule_pause)

    def success_message(self, task) -> str:
        return SCHEDULE_PAUSED.format(name=task.name)


class ScheduleResumeView(ScheduleSteerView):
    steer = staticmethod(process_schedule_resume)

    def success_message(self, task) -> str:
        next_run = timezone.localtime(next_run_at(task))
        return SCHEDULE_RESUMED.format(name=task.name, next_run=f"{next_run:%Y-%m-%d %H:%M}")


class HealthView(ProcessesPermissionMixin, TemplateView):
    """The background machinery at a glance, for operations."""

    permission_required = OPERATIONS_PERMISSION
    template_name = "processes/health.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(health=machinery_health(), **kwargs)


class HealthJsonView(PermissionRequiredMixin, View):
    """The same checks as JSON for monitoring: 200 when healthy, 503 when not.

    A monitor sends ``Authorization: Bearer <HEALTH_TOKEN>`` (the token comes from the
    environment; unset, no token is accepted); a wrong token is a 401. Without the header
    it is a page like any other: operations signed in read it, anyone else is sent to sign
    in or refused."""

    permission_required = OPERATIONS_PERMISSION
    http_method_names = ["get"]

    def bearer(self) -> str | None:
        header = self.request.headers.get("Authorization")
        return header.removeprefix("Bearer ").strip() if header is not None else None

    def has_permission(self):
        token = self.bearer()
        if token is not None:
            return bool(settings.HEALTH_TOKEN) and constant_time_compare(
                token, settings.HEALTH_TOKEN
            )
        return super().has_permission()

    def handle_no_permission(self):
        if self.bearer() is not None:
            return JsonResponse({"error": HEALTH_TOKEN_REFUSED}, status=401)
        return super().handle_no_permission()

    def get(self, request):
        report = machinery_health()
        return JsonResponse(report, status=200 if report["ok"] else 503)
