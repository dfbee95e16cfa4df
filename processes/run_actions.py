"""The operator's buttons on a run (its page and the home page): Retry, Retry failed
lines and Cancel. Each calls one service; a refusal comes back as a message on the page
the button was on."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from b2b_portal.errors import ApplicationError, PermissionRefused

from .selectors import runs_visible_to
from .services import process_run_cancel, process_run_retry, process_run_retry_failed_lines

RUN_CANCELLED = "{run} is cancelled."
RUN_RETRIED = "{run} is retried as {retry}: it does what is left."
LINES_RETRIED = "The failed lines of {run} are queued again as {retry}."


class RunActionView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST only, on a run the user sees (another unit's is a 404)."""

    permission_required = "processes.view_processrun"
    http_method_names = ["post"]

    def has_permission(self):
        """The registry decides who acts on a run: whoever may run its process (a 403
        before any work; the services check again)."""
        if not super().has_permission():
            return False
        self.run = runs_visible_to(self.request.user).filter(pk=self.kwargs["pk"]).first()
        # Another unit's run, or none: the post answers 404, saying nothing about it.
        return self.run is None or self.run.definition.may_be_run_by(self.request.user)

    def post(self, request, pk):
        run = self.run
        if run is None:
            raise Http404("No such run.")
        try:
            shown, message = self.act(run)
        except PermissionRefused as refusal:
            raise PermissionDenied(refusal.message) from refusal
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect(self.back_to(run))
        messages.success(request, message)
        return redirect(self.back_to(shown))

    def back_to(self, run):
        """The page the button was on (``next``), else the run's page."""
        target = self.request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()}):
            return target
        return run.get_absolute_url()


class RunRetryView(RunActionView):
    def act(self, run):
        retry = process_run_retry(actor=self.request.user, run=run)
        return retry, RUN_RETRIED.format(run=run, retry=retry)


class RunRetryFailedLinesView(RunActionView):
    def act(self, run):
        retry = process_run_retry_failed_lines(actor=self.request.user, run=run)
        return retry, LINES_RETRIED.format(run=run, retry=retry)


class RunCancelView(RunActionView):
    def act(self, run):
        reason = self.request.POST.get("reason", "")
        cancelled = process_run_cancel(actor=self.request.user, run=run, reason=reason)
        return cancelled, RUN_CANCELLED.format(run=cancelled)
