"""The admin's business-unit wall: every admin page shows and accepts only the rows of the
user's units (``catalog.units``), whichever way the page reaches them.

``UnitScopedAdmin`` (``UnitScopedMixin`` for a model without history) is the base of
every project admin. Its ``business_unit_path`` says
how a row reaches its unit (``"business_unit"``, ``"item__business_unit"``); ``SHARED``
marks master data every unit uses (suppliers), which only an administrator changes.
From that one attribute it scopes:

- the change list, the change, delete and history pages (history list and each version:
  django-simple-history's views fall back to the history table, which is not scoped);
- autocomplete and raw-id popups (both go through the target model's admin queryset);
- the choices of every model choice field on add and change forms, declared or generated,
  inlines included (``ScopedChoicesMixin``), so another unit's item or customer is an
  invalid choice;
- the related-field list filters, which offer only values present in the user's rows.
"""

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.forms import ModelChoiceField
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from catalog.units import scope_to_units

SHARED = None  # ``business_unit_path`` of master data shared by every unit


def scoped_choices(admin_site, model, user):
    """The rows of ``model`` that ``user`` may pick, or None when the model is not
    unit-scoped (users, groups)."""
    model_admin = admin_site._registry.get(model)
    if not isinstance(model_admin, UnitScopedMixin):
        return None
    return model_admin.scope(model._default_manager.all(), user)


def scoped_form(form_class, admin_site, user):
    """``form_class`` whose model choice fields, generated or declared, offer only the
    rows of the user's units."""

    class ScopedForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for field in self.fields.values():
                if isinstance(field, ModelChoiceField):
                    choices = scoped_choices(admin_site, field.queryset.model, user)
                    if choices is not None:
                        field.queryset = field.queryset & choices

    ScopedForm.__name__ = form_class.__name__
    return ScopedForm


class ScopedChoicesMixin:
    """Choices on the forms of an admin (``get_form``) or an inline (``get_formset``)
    limited to the user's units."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        return scoped_form(form_class, self.admin_site, request.user)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = scoped_form(formset.form, self.admin_site, request.user)
        return formset


class UnitScopedMixin(ScopedChoicesMixin):
    """Rows, choices and filters of the user's business units only."""

    business_unit_path: str | None = "business_unit"

    def scope(self, queryset, user):
        if self.business_unit_path is SHARED:
            return queryset
        return scope_to_units(queryset, user, self.business_unit_path)

    def get_queryset(self, request):
        return self.scope(super().get_queryset(request), request.user)

    # --- shared master data: read-only but to an administrator

    def _may_write(self, request) -> bool:
        return self.business_unit_path is not SHARED or request.user.is_superuser

    def has_add_permission(self, request, *args):
        return self._may_write(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._may_write(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_write(request) and super().has_delete_permission(request, obj)

    # --- list filters on related fields offer only the values in the user's rows

    def get_list_filter(self, request):
        return [self._scoped_filter(entry) for entry in super().get_list_filter(request)]

    def _scoped_filter(self, entry):
        if not isinstance(entry, str):
            return entry
        try:
            field = get_fields_from_path(self.model, entry)[-1]
        except FieldDoesNotExist:
            return entry
        return (entry, admin.RelatedOnlyFieldListFilter) if field.is_relation else entry


class UnitScopedAdmin(UnitScopedMixin, SimpleHistoryAdmin):
    """A unit-scoped admin whose history pages are scoped too."""

    # --- history: only of rows the user may see now (an administrator also of deleted
    # rows); a revert only where the admin allows it

    def _require_visible(self, request, object_id) -> None:
        if request.user.is_superuser:
            return
        try:
            visible = self.get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, ValidationError):
            visible = False
        if not visible:
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_visible(request, object_id)
        if request.method == "POST" and self.revert_disabled(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
