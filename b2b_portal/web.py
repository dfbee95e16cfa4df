"""What every workbench page shares: role checks, business-unit scoping, service calls.

- ``RoleRequiredMixin``: login required; a signed-in user without the role's permission
  gets 403 (and the page's links to the action are not shown: templates check ``perms``).
- ``UnitScopedMixin``: querysets hold only the user's business units, so another unit's
  document is a 404, never a 403 that would confirm it exists.
- ``ServiceActionView``: a POST-only button (submit, approve, ship confirm...) that calls
  one service on one scoped object and turns a refusal into a page message; the message
  after success is a warning where ``success_level`` says the document ended badly.
- ``OnceOnlyFormMixin``: a form posted twice (double click, back and resubmit) does nothing
  the second time and lands where the first submit did (the document it made or changed),
  with a message saying so.
"""

import re
import time
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from redis.exceptions import RedisError

from catalog.units import scope_to_units

from .errors import ApplicationError

ALREADY_SUBMITTED = "This form was already submitted; nothing was done the second time."
FIRST_SUBMIT_MADE = "{made} was made by your first submit of this form; nothing was done again."
FIRST_SUBMIT_DONE = "Your first submit of this form was done; nothing was done again."
# A double click's second request waits this long for the first to finish.
FIRST_SUBMIT_WAIT_SECONDS = 15
SUBMISSION_CHECK_UNAVAILABLE = (
    "The portal cannot check right now that this form was not sent twice, so nothing was "
    "done. Try again in a minute; if it keeps happening, tell operations."
)
SUBMISSION_TOKEN_INVALID = (
    "This form came without its submission token (or with a damaged one), so nothing was "
    "done. Check the page and submit it again."
)
SUBMISSION_TOKEN_SHAPE = re.compile(r"[0-9a-f]{32}")
TOKEN_TTL_SECONDS = 24 * 3600


class RoleRequiredMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Set ``permission_required``; anonymous users are sent to sign in, others get 403."""


class UnitScopedMixin:
    business_unit_path = "business_unit"

    def scope(self, queryset):
        return scope_to_units(queryset, self.request.user, self.business_unit_path)

    def get_queryset(self):
        return self.scope(super().get_queryset())


class ServiceActionView(RoleRequiredMixin, UnitScopedMixin, View):
    """POST /<pk>/<action>/: call ``perform`` on the scoped object, then redirect."""

    model = None
    success_message = ""
    http_method_names = ["post"]

    def get_queryset(self):
        return self.scope(self.model._default_manager.all())

    def post(self, request, pk):
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            result = self.perform(obj) or obj
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            message = self.get_success_message(result)
            messages.add_message(request, self.success_level(result), message)
        return redirect(self.get_success_url(obj))

    def perform(self, obj):
        raise NotImplementedError

    def get_success_message(self, result) -> str:
        return self.success_message.format(obj=result)

    def success_level(self, result) -> int:
        """``messages.WARNING`` when the service did its work but the document needs the
        user again (an AP invoice Validate put On Hold)."""
        return messages.SUCCESS

    def get_success_url(self, obj):
        return obj.get_absolute_url()


def new_submission_token() -> str:
    return uuid.uuid4().hex


class SubmissionTokenField(forms.CharField):
    """Required, and exactly the shape ``new_submission_token`` makes: the token becomes a
    cache key kept for a day, so nothing of a size the client chooses reaches the cache."""

    widget = forms.HiddenInput
    default_error_messages = {"required": SUBMISSION_TOKEN_INVALID}

    def __init__(self, **kwargs):
        super().__init__(required=True, initial=new_submission_token, **kwargs)

    def to_python(self, value):
        token = super().to_python(value)
        if token and not SUBMISSION_TOKEN_SHAPE.fullmatch(token):
            raise ValidationError(SUBMISSION_TOKEN_INVALID, code="invalid")
        return token


class OnceOnlyFormMixin:
    """For a FormView whose form has a ``SubmissionTokenField`` named ``submission_token``.

    ``form_valid`` becomes ``form_valid_once``; a service refusal there frees the token so
    that the clerk can correct the form and submit again. A post without a well-formed token
    is refused like any invalid form, and the page comes back with a fresh token. The token
    keeps where the first submit's redirect went, so that a second submit lands there too,
    never on an error; a view whose form makes one document sets ``self.made`` in
    form_valid_once for the message to name it.
    """

    def form_valid(self, form):
        key = f"form-submitted:{form.cleaned_data['submission_token']}"
        try:
            first_time = cache.add(key, True, TOKEN_TTL_SECONDS)
        except RedisError:
            # Without the check a double click could make two orders: refuse, say why.
            form.add_error(None, SUBMISSION_CHECK_UNAVAILABLE)
            return self.form_invalid(form)
        if not first_time:
            return self.submitted_again(form, key)
        try:
            response = self.form_valid_once(form)
        except ApplicationError as error:
            cache.delete(key)
            form.add_error(None, error.message)
            return self.form_invalid(form)
        if response.status_code == 302:
            made = getattr(self, "made", None)
            first = {"url": response.url, "made": str(made) if made else ""}
            cache.set(key, first, TOKEN_TTL_SECONDS)
        return response

    def submitted_again(self, form, key):
        if shown := self.first_submit_shown():
            return shown
        # The first submit did not answer with a redirect: there is nowhere to land.
        form.add_error(None, ALREADY_SUBMITTED)
        return self.form_invalid(form)

    def first_submit_shown(self):
        """The redirect to where an earlier submit of this same page landed (its token is
        spent), or None. A view that checks more than the fields (a warning to confirm)
        asks this before validating, so that the repeat lands on the document too."""
        token = self.request.POST.get("submission_token", "")
        if not SUBMISSION_TOKEN_SHAPE.fullmatch(token):
            return None
        first = self.first_result(f"form-submitted:{token}")
        if first is None:
            return None
        made = first["made"]
        messages.info(
            self.request, FIRST_SUBMIT_MADE.format(made=made) if made else FIRST_SUBMIT_DONE
        )
        return redirect(first["url"])

    def first_result(self, key) -> dict | None:
        """Where the first submit landed, once it has finished (a double click's second
        request arrives while the first is still at work); None when it did not redirect."""
        deadline = time.monotonic() + FIRST_SUBMIT_WAIT_SECONDS
        while True:
            try:
                first = cache.get(key)
            except RedisError:
                return None
            if first is not True or time.monotonic() > deadline:
                return first if isinstance(first, dict) else None
            time.sleep(0.1)

    def form_invalid(self, form):
        if form.has_error("submission_token"):
            # The field is hidden, so its error is said on the form; a fresh token lets the
            # clerk submit the corrected page (the refused post did nothing).
            del form.errors["submission_token"]
            form.add_error(None, SUBMISSION_TOKEN_INVALID)
            form.data = form.data.copy()
            form.data[form.add_prefix("submission_token")] = new_submission_token()
        return super().form_invalid(form)

    def form_valid_once(self, form):
        raise NotImplementedError
