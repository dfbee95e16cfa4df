"""What every app's ``admin.py`` shares: the admin never bypasses the services.

- ``DocumentAdmin``: business documents and their lines are written only by services. The
  admin shows them read-only, scoped to the user's business units, searchable by document
  number (``SO-000123``); where a person creates the document (a sales order, an AP
  invoice, a pick wave), the add page calls the service, and a refusal is shown on the
  form. Its base, ``b2b_portal.admin_units.UnitScopedAdmin``, keeps every page to the
  user's units.
- ``run_for_each``: an action body that calls a service per selected object, each in the
  service's own transaction, and reports refusals and successes.
- ``run_for_each_with_reason``: the same behind an intermediate page asking for a reason.
- ``service_action``, ``service_action_with_reason`` and ``holds_permission``: an admin
  class declares its actions (which service, which permission, which messages) instead of
  writing each body again.
- ``ProcessButton`` and ``ProcessRunsMixin``: a scheduled process (Generate Supply Orders,
  AutoCreate, AutoInvoice...) run now from a button on a changelist, after a confirmation
  page, logged as a run like every other.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import model_ngettext
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from b2b_portal.admin_units import ScopedChoicesMixin, UnitScopedAdmin
from b2b_portal.errors import ApplicationError
from b2b_portal.numbers import document_number
from catalog.units import business_units_of, works_in_every_unit
from processes.models import RunStatus, Trigger
from processes.registry import PROCESSES
from processes.services import process_run_queue

MAX_FAILURES_LISTED = 10


# --- Actions ---------------------------------------------------------------------------


def _refusal_text(obj, error: ApplicationError) -> str:
    """The service's message, naming the object when the message does not."""
    return error.message if str(obj) in error.message else f"{obj}: {error.message}"


def _objects_name(opts, count: int, noun: str) -> str:
    if noun:
        return noun if count == 1 else f"{noun}s"
    return model_ngettext(opts, count)


def run_for_each(
    modeladmin, request, queryset, call: Callable, *, done: str, noun: str = ""
) -> int:
    """Call ``call(obj)`` (a service) for each selected object, in pk order.

    Each service call commits or rolls back on its own, so one refusal does not undo the
    others. ``done`` is the success message, formatted with ``count`` and ``objects``
    (``noun`` or the model's verbose name, singular or plural). Returns the number that
    succeeded.
    """
    succeeded = 0
    for obj in queryset.order_by("pk"):
        try:
            call(obj)
        except ApplicationError as error:
            modeladmin.message_user(request, _refusal_text(obj, error), messages.ERROR)
        else:
            succeeded += 1
    if succeeded:
        objects = _objects_name(modeladmin.opts, succeeded, noun)
        modeladmin.message_user(
            request, done.format(count=succeeded, objects=objects), messages.SUCCESS
        )
    return succeeded


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=240, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


def run_for_each_with_reason(
    modeladmin,
    request,
    queryset,
    call: Callable,
    *,
    title: str,
    done: str,
    noun: str = "",
    help_text: str = "",
):
    """An action that first asks for a reason, then calls ``call(obj, reason)`` per object.

    The first POST (from the changelist) shows ``admin/action_reason.html``; its form posts
    back to the changelist with the same action and selection plus the reason.
    """
    if "apply_reason" in request.POST:
        form = ReasonForm(request.POST)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            run_for_each(
                modeladmin, request, queryset, lambda obj: call(obj, reason), done=done, noun=noun
            )
            return None  # back to the changelist
    else:
        form = ReasonForm()
    if help_text:
        form.fields["reason"].help_text = help_text
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.opts,
        "objects": queryset.order_by("pk"),
        "objects_name": _objects_name(modeladmin.opts, queryset.count(), noun),
        "form": form,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    return TemplateResponse(request, "admin/action_reason.html", context)


def holds_permission(codename: str) -> Callable:
    """A ``has_<name>_permission`` method for actions declared with ``permissions=[name]``:
    the user holds ``codename`` (the service checks it again)."""

    def has_permission(modeladmin, request) -> bool:
        return request.user.has_perm(codename)

    return has_permission


def service_action(
    service: Callable, argument: str, *, description: str, permission: str, done: str, noun=""
) -> Callable:
    """An admin action calling ``service(actor=user, <argument>=obj)`` for each selected
    object (``run_for_each``), offered to users the ``has_<permission>_permission`` admits."""

    @admin.action(description=description, permissions=[permission])
    def action(modeladmin, request, queryset):
        run_for_each(
            modeladmin,
            request,
            queryset,
            lambda obj: service(actor=request.user, **{argument: obj}),
            done=done,
            noun=noun,
        )

    return action


def service_action_with_reason(
    service: Callable,
    argument: str,
    *,
    description: str,
    permission: str,
    title: str,
    done: str,
    noun: str = "",
    help_text: str = "",
    **fixed,
) -> Callable:
    """``service_action`` behind the page asking for a reason: calls
    ``service(actor=user, <argument>=obj, reason=reason, **fixed)``."""

    @admin.action(description=description, permissions=[permission])
    def action(modeladmin, request, queryset):
        return run_for_each_with_reason(
            modeladmin,
            request,
            queryset,
            lambda obj, reason: service(
                actor=request.user, reason=reason, **{argument: obj}, **fixed
            ),
            title=title,
            done=done,
            noun=noun,
            help_text=help_text,
        )

    return action


# --- Whole-run processes ---------------------------------------------------------------


@dataclass(frozen=True)
class ProcessButton:
    """A scheduled process (``processes.registry`` code) that a changelist button runs now.

    The run goes through the run log like any other (``process_run_queue``): a row first,
    then the process's task. Shown to whoever the registry lets run the process.
    """

    process: str

    @property
    def definition(self):
        return PROCESSES[self.process]

    def allowed(self, user) -> bool:
        return self.definition.may_be_run_by(user)


def _report_run(modeladmin, request, run) -> None:
    url = reverse("admin:processes_processrun_change", args=[run.pk])
    name = format_html('<a href="{}">{}</a>', url, run)
    if not run.is_finished:
        modeladmin.message_user(
            request, format_html("{} is queued; its log shows how it goes.", name), messages.INFO
        )
        return
    level = {RunStatus.SUCCEEDED: messages.SUCCESS, RunStatus.FAILED: messages.ERROR}.get(
        run.status, messages.WARNING
    )
    summary = format_html(
        "{}: {}. {} lines done, {} documents made, {} failed.",
        name,
        run.get_status_display(),
        run.lines_done,
        run.documents_made,
        run.lines_failed,
    )
    modeladmin.message_user(request, summary, level)
    if run.error:
        modeladmin.message_user(request, run.error, messages.ERROR)
    for failure in run.failures.all()[:MAX_FAILURES_LISTED]:
        modeladmin.message_user(request, str(failure), messages.WARNING)


class ProcessRunsMixin:
    """Buttons on the changelist that run whole processes after a confirmation page.

    A superuser's run covers every business unit; anyone else gets one run per business
    unit they belong to.
    """

    process_buttons: tuple[ProcessButton, ...] = ()
    change_list_template = "admin/change_list_processes.html"

    def _run_url_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_run_process"

    def get_urls(self):
        view = self.admin_site.admin_view(self.process_run_view)
        return [
            path("run/<slug:process>/", view, name=self._run_url_name()),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        buttons = [
            {
                "label": button.definition.name,
                "url": reverse(f"admin:{self._run_url_name()}", args=[button.process]),
            }
            for button in self.process_buttons
            if button.allowed(request.user)
        ]
        return super().changelist_view(request, {**(extra_context or {}), "process_runs": buttons})

    def process_run_view(self, request, process):
        button = next((b for b in self.process_buttons if b.process == process), None)
        if button is None:
            raise Http404
        if not button.allowed(request.user):
            raise PermissionDenied
        changelist = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        units = self._units(request)
        if request.method == "POST":
            self._run_process(request, button, units)
            return HttpResponseRedirect(changelist)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Run {button.definition.name}",
            "opts": self.opts,
            "process": button.definition,
            "scope": (
                "every business unit"
                if units == [None]
                else ", ".join(str(unit) for unit in units) or "none of the business units"
            ),
            "changelist_url": changelist,
        }
        return TemplateResponse(request, "admin/process_run_confirm.html", context)

    def _units(self, request):
        """``[None]`` (one run over every unit) for a user who works in every unit, else
        the user's own units, one run each."""
        if works_in_every_unit(request.user):
            return [None]
        return list(business_units_of(request.user).order_by("code"))

    def _run_process(self, request, button: ProcessButton, units) -> None:
        if not units:
            self.message_user(
                request, "You belong to no business unit: nothing was run.", messages.WARNING
            )
            return
        for unit in units:
            try:
                run = process_run_queue(
                    process=button.process,
                    parameters={"business_unit": unit.pk if unit else None},
                    trigger=Trigger.MANUAL,
                    requested_by=request.user,
                )
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
                continue
            # With an in-process worker the run has finished by now; else it is queued.
            run.refresh_from_db()
            _report_run(self, request, run)


# --- Admin base classes ----------------------------------------------------------------


def _form_refused_with(form_class, message: str):
    class RefusedForm(form_class):
        def clean(self):
            super().clean()
            raise forms.ValidationError(message)

    RefusedForm.__name__ = form_class.__name__
    return RefusedForm


class ServiceOwnedMixin:
    """Read-only admin of documents (and their lines) that only services write.

    - No change, no delete; history cannot be reverted.
    - Add only where ``add_fields`` is set: the add page collects what the service needs
      and ``create_with_service`` calls it (see ``changeform_view`` for refusals).
    - A search for a document number (``SO-000123``) looks it up by ``number_search``:
      prefix -> lookup; the model's own prefix finds it by pk.
    """

    number_search: dict[str, str] = {}
    add_fields: tuple[str, ...] = ()
    add_form = None

    # --- permissions

    def has_add_permission(self, request):
        return bool(self.add_fields) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True

    # --- rows

    def get_search_results(self, request, queryset, search_term):
        lookups = dict(self.number_search)
        prefix = getattr(self.model, "number_prefix", "")
        if prefix:
            lookups.setdefault(prefix, "pk")
        for number_prefix, lookup in lookups.items():
            # Only a number typed with its prefix: a bare 123 stays a text search.
            if search_term.strip().upper().startswith(number_prefix):
                number = document_number(search_term, number_prefix)
                if number is not None:
                    return queryset.filter(**{lookup: number}), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="number", ordering="pk")
    def number(self, obj):
        return obj.number

    # --- the view page

    def get_fields(self, request, obj=None):
        if obj is None:
            return list(self.add_fields)
        fields = [
            name
            for name in super().get_fields(request, obj)
            if name not in ("number", "created_at", "updated_at")
        ]
        lead = ["number"] if getattr(self.model, "number_prefix", "") else []
        return [*lead, *fields, "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (*super().get_readonly_fields(request, obj), "number", "created_at", "updated_at")

    # --- the add page, through the service

    def get_inlines(self, request, obj):
        inlines = super().get_inlines(request, obj)
        if obj is None:
            return [inline for inline in inlines if issubclass(inline, EntryLineInline)]
        return inlines

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None and self.add_form is not None:
            kwargs.setdefault("form", self.add_form)
        form_class = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "_service_refusal", "")
        return _form_refused_with(form_class, refusal) if refusal else form_class

    def create_with_service(self, request, form, formsets):
        """Call the service that creates the document from the add page; return it."""
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        """Nothing is saved from the form: ``save_related`` calls the service."""

    def save_related(self, request, form, formsets, change):
        created = self.create_with_service(request, form, formsets)
        # The admin redirects and logs with the object the form built: make it the one made.
        form.instance.pk = created.pk
        form.instance._state.adding = False
        form.instance._state.db = created._state.db
        for formset in formsets:
            formset.new_objects = []
            formset.changed_objects = []
            formset.deleted_objects = []

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as refusal:
            if object_id is not None:
                raise
            # The service refused; changeform_view's transaction rolled back everything.
            # Show the page again with what was entered and the message on the form.
            request._service_refusal = refusal.message
            return super().changeform_view(request, object_id, form_url, extra_context)


class DocumentAdmin(ServiceOwnedMixin, UnitScopedAdmin):
    """A business document or line with history, written only by services, of the user's
    business units only."""


# --- Inlines ---------------------------------------------------------------------------


class ReadOnlyInline(ScopedChoicesMixin, admin.TabularInline):
    """Lines shown on their header, never written from it."""

    extra = 0
    can_delete = False
    show_change_link = True
    select_related: tuple[str, ...] = ()

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.select_related)


class EntryLineInline(ReadOnlyInline):
    """Lines entered with their header on its add page (the service creates both), and
    read-only afterwards. Entering lines needs the header's add permission."""

    entry_fields: tuple[str, ...] = ()
    entry_form = forms.ModelForm
    entry_extra = 3

    def has_add_permission(self, request, obj=None):
        opts = self.parent_model._meta
        return obj is None and request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}")

    def get_fields(self, request, obj=None):
        return list(self.entry_fields) if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else super().get_readonly_fields(request, obj)

    def get_extra(self, request, obj=None, **kwargs):
        return self.entry_extra if obj is None else 0

    def get_formset(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs.setdefault("form", self.entry_form)
        return super().get_formset(request, obj, **kwargs)


def entered_lines(formset) -> list[dict]:
    """The cleaned data of the lines filled in on an add page's inline."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]
