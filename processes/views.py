"""The Scheduled Processes page: the run log, one run's detail with live progress, and
Schedule New Process."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.forms.utils import pretty_name
from django.shortcuts import redirect
from django.views.generic import DetailView, FormView, ListView

from b2b_portal.errors import ApplicationError
from b2b_portal.lists import LastPageMixin
from orders.forms import SalesOrderNumberField
from orders.models import SalesOrder

from .forms import RunFilterForm, ScheduleProcessForm
from .registry import PROCESSES
from .schedules import process_schedule_create
from .selectors import runs_visible_to
from .services import process_run_queue


def parameters_described(parameters: dict) -> list[tuple[str, str]]:
    """(label, text) per parameter of a run, labelled as on Schedule New Process, with the
    rows named rather than their ids; a run without a business unit went over every unit."""
    fields = ScheduleProcessForm.base_fields
    described = []
    for key, value in {"business_unit": None, **parameters}.items():
        field = fields.get(key)
        label = field.label if field is not None and field.label else pretty_name(key)
        described.append((label, _parameter_text(field, key, value)))
    return described


def _parameter_text(field, key: str, value) -> str:
    if key == "business_unit" and value is None:
        return "Every unit"
    if isinstance(field, forms.ModelChoiceField):
        model = field.queryset.model
    elif isinstance(field, SalesOrderNumberField):
        model = SalesOrder
    else:
        return str(value)
    return str(model.objects.filter(pk=value).first() or f"{value} (deleted)")


class ProcessesPermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "processes.view_processrun"


class RunListView(ProcessesPermissionMixin, LastPageMixin, ListView):
    template_name = "processes/run_list.html"
    paginate_by = 50

    def get_queryset(self):
        runs = runs_visible_to(self.request.user).select_related("requested_by").order_by("-pk")
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
        return super().get_context_data(filters=self.filters, **kwargs)


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
        parameters = parameters_described(self.object.parameters)
        return super().get_context_data(failures=failures, parameters=parameters, **kwargs)


class ScheduleProcessView(ProcessesPermissionMixin, FormView):
    template_name = "processes/schedule.html"
    form_class = ScheduleProcessForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"process": self.request.GET.get("process")}

    def form_valid(self, form):
        data = form.cleaned_data
        definition = PROCESSES[data["process"]]
        user = self.request.user
        try:
            if data["repeat"] == "once":
                run = process_run_queue(
                    process=definition.code, parameters=form.parameters(), requested_by=user
                )
                messages.success(self.request, f"{run} is queued.")
                return redirect("processes:run_detail", pk=run.pk)
            if not user.has_perm("django_celery_beat.add_periodictask"):
                raise PermissionDenied
            schedule = process_schedule_create(
                actor=user,
                process=definition.code,
                parameters=form.parameters(),
                every_minutes=data.get("every_minutes") if data["repeat"] == "interval" else None,
                daily_at=data.get("daily_at") if data["repeat"] == "daily" else None,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"Scheduled: {schedule.name}.")
        return redirect("processes:run_list")
