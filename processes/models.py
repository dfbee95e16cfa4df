"""The log of every scheduled-process run: who or what started it, with which
parameters, how far it got, and each line that failed with its reason."""

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .registry import PROCESSES


class RunStatus(models.TextChoices):
    QUEUED = "QUEUED", "Queued"
    RUNNING = "RUNNING", "Running"
    SUCCEEDED = "SUCCEEDED", "Succeeded"
    COMPLETED_WITH_FAILURES = "WITH_FAILURES", "Finished with failures"
    FAILED = "FAILED", "Failed"


class Trigger(models.TextChoices):
    MANUAL = "MANUAL", "Run by a user"
    SCHEDULE = "SCHEDULE", "Schedule"
    EVENT = "EVENT", "Event (e.g. booking)"


class ProcessRun(ConcurrentTransitionMixin, models.Model):
    # A code of processes.registry.PROCESSES (no choices here: adding a process needs no
    # migration; process_run_queue refuses unknown codes).
    process = models.CharField(max_length=40, db_index=True)
    parameters = models.JSONField(default=dict, blank=True)
    status = FSMField(
        choices=RunStatus.choices, default=RunStatus.QUEUED, protected=True, db_index=True
    )
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    schedule_name = models.CharField(max_length=200, blank=True)
    queued_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # When its task reached the broker: empty means the run still waits in the outbox
    # (processes.services.process_runs_dispatch_pending sends it).
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lines_total = models.PositiveIntegerField(default=0)
    lines_done = models.PositiveIntegerField(default=0)
    documents_made = models.PositiveIntegerField(default=0)
    lines_failed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.definition.name} #{self.pk}"

    @property
    def definition(self):
        return PROCESSES[self.process]

    def get_process_display(self) -> str:
        return self.definition.name

    @property
    def is_finished(self) -> bool:
        return self.status in (
            RunStatus.SUCCEEDED,
            RunStatus.COMPLETED_WITH_FAILURES,
            RunStatus.FAILED,
        )

    @property
    def percent_done(self) -> int:
        if self.is_finished:
            return 100
        return min(100, int(100 * self.lines_done / self.lines_total)) if self.lines_total else 0

    # A run a killed worker left Running is started again when the broker redelivers it;
    # it keeps the time it first started.
    @transition(
        field=status, source=[RunStatus.QUEUED, RunStatus.RUNNING], target=RunStatus.RUNNING
    )
    def start(self, when):
        self.started_at = self.started_at or when

    @transition(field=status, source=RunStatus.RUNNING, target=RunStatus.SUCCEEDED)
    def succeed(self, when):
        self.finished_at = when

    @transition(field=status, source=RunStatus.RUNNING, target=RunStatus.COMPLETED_WITH_FAILURES)
    def finish_with_failures(self, when):
        self.finished_at = when

    @transition(field=status, source=[RunStatus.QUEUED, RunStatus.RUNNING], target=RunStatus.FAILED)
    def fail(self, when, error: str):
        self.finished_at = when
        self.error = error


class ProcessRunFailure(models.Model):
    """A source line the run could not process, and why; the run went on without it."""

    run = models.ForeignKey(ProcessRun, on_delete=models.CASCADE, related_name="failures")
    source = models.CharField(max_length=120)
    reason = models.TextField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run_id", "id"]

    def __str__(self):
        return f"{self.source}: {self.reason}"
