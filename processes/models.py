"""The log of every scheduled-process run: who or what started it, with which
parameters, how far it got, its timeline (events), and each line that failed with its
reason."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, can_proceed, transition

from b2b_portal.models import ConcurrentTransitions

from .registry import PROCESSES


class RunStatus(models.TextChoices):
    QUEUED = "QUEUED", "Queued"
    RUNNING = "RUNNING", "Running"
    SUCCEEDED = "SUCCEEDED", "Succeeded"
    COMPLETED_WITH_FAILURES = "WITH_FAILURES", "Finished with failures"
    FAILED = "FAILED", "Failed"
    STALLED = "STALLED", "Stalled"
    CANCELLED = "CANCELLED", "Cancelled"


class Trigger(models.TextChoices):
    MANUAL = "MANUAL", "Run by a user"
    SCHEDULE = "SCHEDULE", "Schedule"
    EVENT = "EVENT", "Event (e.g. booking)"


FINISHED = (
    RunStatus.SUCCEEDED,
    RunStatus.COMPLETED_WITH_FAILURES,
    RunStatus.FAILED,
    RunStatus.CANCELLED,
)


def not_retried(run: "ProcessRun") -> bool:
    return run.retry_id is None


class ProcessRun(ConcurrentTransitions, models.Model):
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
    # The last sign of life: queued, started, a pass begun or a chunk committed. The
    # watchdog (processes.services.process_runs_watch) stalls a run silent past its limit.
    heartbeat_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Per pass of process_in_chunks: {"after": last pk done, "examined": n, "total": n}.
    # A redelivered task resumes each pass after its pk and counts its lines once.
    checkpoint = models.JSONField(default=list, blank=True)
    # The run that retries this one (a new run: it resumes by selecting what is still
    # eligible). Set once; a retried run never starts again.
    retry = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="retry_of"
    )
    cancel_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.definition.name} #{self.pk}"

    def get_absolute_url(self):
        return reverse("processes:run_detail", args=[self.pk])

    @property
    def definition(self):
        return PROCESSES[self.process]

    def get_process_display(self) -> str:
        return self.definition.name

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def is_retried(self) -> bool:
        return self.retry_id is not None

    # What an operator may do with the run, asked by the services and the pages alike.
    @property
    def can_cancel(self) -> bool:
        return can_proceed(self.cancel)

    @property
    def can_retry(self) -> bool:
        return self.status != RunStatus.COMPLETED_WITH_FAILURES and can_proceed(self.mark_retried)

    @property
    def can_retry_failed_lines(self) -> bool:
        return (
            self.status == RunStatus.COMPLETED_WITH_FAILURES
            and bool(self.definition.line_parameter)
            and can_proceed(self.mark_retried)
        )

    @property
    def percent_done(self) -> int:
        if self.is_finished:
            return 100
        return min(100, int(100 * self.lines_done / self.lines_total)) if self.lines_total else 0

    # A run a killed worker left Running is started again when the broker redelivers it;
    # it keeps the time it first started. A Stalled run whose task turns up late starts,
    # unless it was retried: then the retry does its work.
    @transition(
        field=status,
        source=[RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.STALLED],
        target=RunStatus.RUNNING,
        conditions=[not_retried],
    )
    def start(self, when):
        self.started_at = self.started_at or when
        self.heartbeat_at = when

    @transition(
        field=status,
        source=[RunStatus.RUNNING, RunStatus.STALLED],
        target=RunStatus.SUCCEEDED,
        conditions=[not_retried],
    )
    def succeed(self, when):
        self.finished_at = when

    @transition(
        field=status,
        source=[RunStatus.RUNNING, RunStatus.STALLED],
        target=RunStatus.COMPLETED_WITH_FAILURES,
        conditions=[not_retried],
    )
    def finish_with_failures(self, when):
        self.finished_at = when

    @transition(
        field=status,
        source=[RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.STALLED],
        target=RunStatus.FAILED,
        conditions=[not_retried],
    )
    def fail(self, when, error: str):
        self.finished_at = when
        self.error = error

    @transition(
        field=status, source=[RunStatus.QUEUED, RunStatus.RUNNING], target=RunStatus.STALLED
    )
    def stall(self):
        """The watchdog saw no progress within the process's limit."""

    @transition(
        field=status,
        source=[RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.STALLED],
        target=RunStatus.CANCELLED,
        conditions=[not_retried],
    )
    def cancel(self, when, why: str):
        self.finished_at = when
        self.cancel_reason = why

    # The status stays (Stalled, Failed, Finished with failures): the run is what it was;
    # its retry does the rest.
    @transition(
        field=status,
        source=[RunStatus.STALLED, RunStatus.FAILED, RunStatus.COMPLETED_WITH_FAILURES],
        target=None,
        conditions=[not_retried],
    )
    def mark_retried(self, retry: "ProcessRun"):
        self.retry = retry


class ProcessRunFailure(models.Model):
    """A source line the run could not process, and why; the run went on without it."""

    run = models.ForeignKey(ProcessRun, on_delete=models.CASCADE, related_name="failures")
    source = models.CharField(max_length=120)
    # The failed row's pk, so that "retry failed lines" can name it (registry
    # ``line_parameter``), and the page of its document.
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    document_url = models.CharField(max_length=200, blank=True)
    reason = models.TextField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run_id", "id"]

    def __str__(self):
        return f"{self.source}: {self.reason}"


class RunEvent(models.TextChoices):
    QUEUED = "QUEUED", "Queued"
    DISPATCHED = "DISPATCHED", "Sent to a worker"
    STARTED = "STARTED", "Started"
    CHUNK = "CHUNK", "Chunk committed"
    STALLED = "STALLED", "Stalled"
    RETRIED = "RETRIED", "Retried"
    CANCELLED = "CANCELLED", "Cancelled"
    SUCCEEDED = "SUCCEEDED", "Succeeded"
    WITH_FAILURES = "WITH_FAILURES", "Finished with failures"
    FAILED = "FAILED", "Failed"


class ProcessRunEvent(models.Model):
    """One step of a run's timeline, written in the transaction of the change it records
    (a chunk's in the chunk's own): the run's audit trail, naming who acted (empty for
    the worker, the watchdog or a schedule)."""

    run = models.ForeignKey(ProcessRun, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=RunEvent.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lines = models.PositiveIntegerField(null=True, blank=True)
    documents = models.PositiveIntegerField(null=True, blank=True)
    failures = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["run_id", "id"]

    def __str__(self):
        return f"{self.run}: {self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M:%S}"
