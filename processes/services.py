"""Queueing and executing scheduled-process runs, keeping their log and timeline, and
the operator's side of their lifecycle: the watchdog, Retry and Cancel.

A run is a row first (Queued), then a Celery task by its registered name, dispatched
after the commit that made the row. The task calls the process's service with the run's
parameters and a progress reporter that writes lines done inside each chunk's transaction.
"""

import json
import logging
from datetime import date, timedelta
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from b2b_portal.celery import app as celery_app
from b2b_portal.errors import (
    PermissionRefused,
    TransitionRefused,
    ValidationRefused,
    require_reason,
)
from b2b_portal.transitions import apply_transition
from catalog.units import require_business_unit, works_in_every_unit

from .batching import ProcessResult
from .exceptions import RunStopped
from .locks import process_run_lock
from .middleware import note_run_not_sent
from .models import ProcessRun, ProcessRunEvent, ProcessRunFailure, RunEvent, RunStatus, Trigger
from .registry import PROCESSES, ProcessDefinition, limit_in_words
from .selectors import runs_visible_to

logger = logging.getLogger(__name__)

SYSTEM_USERNAME = "scheduler"
DATE_PARAMETERS = ("date_from", "date_to")
RUN_NEEDS_A_UNIT = "Choose the business unit the process runs for: you do not work in every unit."
RUN_OF_ANOTHER_UNIT = "{actor} does not work in the business unit of {run}."
RUN_NOT_CANCELLABLE = "{run} is {status}: only a queued, running or stalled run can be cancelled."
RUN_NOT_RETRYABLE = "{run} is {status}: only a stalled or failed run can be retried."
RUN_ALREADY_RETRIED = "{run} was already retried as {retry}."
RUN_HAS_NO_FAILED_LINES = (
    "{run} is {status}: only a run finished with failures has failed lines to retry."
)
LINES_NOT_RETRYABLE = (
    "{process} records no failed lines it could run again alone: retry the whole run."
)
STALLED_NOTE = "No progress while {status} since {since:%Y-%m-%d %H:%M:%S} (limit {limit})."
PROGRESS_AFTER_STALL = "Progress again after stalling: its worker was slow, not gone."
RESUMED = "Started again (redelivered or sent late): resumes after its last committed chunk."
RETRY_OF = "Retry of {run}."
RETRIED_AS = "Retried as {retry}."


def _definition(process: str) -> ProcessDefinition:
    if process not in PROCESSES:
        raise ValidationRefused(f"There is no process called {process!r}.")
    return PROCESSES[process]


def _require_units(actor, parameters: dict | None) -> None:
    """A person runs a process over a unit they work in, or over every unit (no
    ``business_unit``) only when they work in every unit (``catalog.units``)."""
    unit_id = (parameters or {}).get("business_unit")
    if unit_id is not None:
        require_business_unit(actor, unit_id)
    elif not works_in_every_unit(actor):
        raise PermissionRefused(RUN_NEEDS_A_UNIT)


def system_user():
    """The user history names for runs nobody requested (schedules); it cannot log in."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False, "first_name": "Scheduler"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def process_run_queue(
    *,
    process: str,
    parameters: dict | None = None,
    trigger: str = Trigger.MANUAL,
    requested_by=None,
    schedule_name: str = "",
    note: str = "",
) -> ProcessRun:
    """Log a queued run and hand it to a worker once the caller's transaction commits;
    ``note`` goes to its timeline's first event.

    A person asking for a run by hand must be allowed to run the process (the registry
    says who is), over a unit they work in. Runs a schedule or an event starts are not
    checked here: the schedule's author was checked when it was made, and an event follows
    a service that checked its own permission (booking queues Progress Order for a clerk)."""
    definition = _definition(process)
    if trigger == Trigger.MANUAL and requested_by is not None:
        definition.require_may_be_run_by(requested_by)
        _require_units(requested_by, parameters)
    return _queued(
        process=process,
        parameters=parameters,
        trigger=trigger,
        requested_by=requested_by,
        schedule_name=schedule_name,
        note=note,
    )


def _queued(
    *, process: str, parameters, trigger: str, requested_by, schedule_name: str = "", note: str = ""
) -> ProcessRun:
    """The run's row and its first event, in the caller's transaction; dispatched once that
    commits."""
    run = ProcessRun.objects.create(
        process=process,
        parameters={key: value for key, value in (parameters or {}).items() if value is not None},
        trigger=trigger,
        requested_by=requested_by,
        schedule_name=schedule_name,
    )
    ProcessRunEvent.objects.create(
        run=run, kind=RunEvent.QUEUED, at=run.queued_at, actor=requested_by, note=note
    )
    transaction.on_commit(lambda: process_run_dispatch(run=run))
    return run


def process_run_queue_pending(*, process: str, parameters: dict, requested_by) -> ProcessRun:
    """An event's run of ``process`` over ``parameters``: the EVENT run with the same
    parameters still Queued (not started), which will take this event's rows too, or a new
    one. Many bookings close together share one run instead of queueing one each.

    The pending run is held ``FOR SHARE`` until the caller commits: its worker's ``start``
    (``FOR UPDATE``) waits for that commit, so the run selects its rows after the caller's
    rows are there; a run that has started is no longer Queued, and the caller queues a new
    one. Callers sharing a run do not wait for each other. (SQLite has one writer at a
    time: the caller, having written, holds it until its commit.)

    Called inside the caller's transaction (a booking's), it sets no savepoint: what it
    writes commits or rolls back with the caller's rows, and the caller lets a failure
    through, so a savepoint would only cost two statements per booking."""
    _definition(process)
    statement = _pending_run_statement(connection.vendor, process, json.dumps(parameters))
    with transaction.atomic(savepoint=False):
        held = next(iter(ProcessRun.objects.raw(*statement)), None)
        if held is not None:
            return held
        return _queued(
            process=process, parameters=parameters, trigger=Trigger.EVENT, requested_by=requested_by
        )


@lru_cache(maxsize=256)
def _pending_run_statement(vendor: str, process: str, parameters: str) -> tuple[str, tuple]:
    """The SELECT of ``process_run_queue_pending`` and its parameters, compiled once per
    process and parameters (JSON): the bookings of a burst each ask it, and compiling it
    cost as much as running it."""
    pending = ProcessRun.objects.filter(
        process=process,
        trigger=Trigger.EVENT,
        status=RunStatus.QUEUED,
        parameters=json.loads(parameters),
    ).order_by("pk")[:1]
    sql, params = pending.query.sql_with_params()
    if vendor == "postgresql":
        sql += " FOR SHARE"
    return sql, params


def process_run_dispatch(*, run: ProcessRun) -> bool:
    """Hand a queued run's task to the broker and note when it got there. With the broker
    unreachable the run stays in the outbox (``dispatched_at`` empty) and the caller goes on:
    the relay sends it once the broker answers."""
    task = celery_app.tasks[run.definition.task_name]
    # Timed before the send: a worker (or an eager task) may start the run at once, and
    # the timeline lists events by time.
    sent_at = timezone.now()
    try:
        task.apply_async(args=[run.pk])
    except BrokerUnreachable:
        logger.warning(
            "Run %s not sent to the broker; the relay will send it.", run.pk, exc_info=True
        )
        note_run_not_sent(run.definition.name)
        return False
    with transaction.atomic():
        if ProcessRun.objects.filter(pk=run.pk, dispatched_at__isnull=True).update(
            dispatched_at=sent_at
        ):
            ProcessRunEvent.objects.create(run=run, kind=RunEvent.DISPATCHED, at=sent_at)
    return True


def process_runs_dispatch_pending(*, older_than_seconds: int = 30) -> int:
    """The relay (beat, every minute): send every Queued run whose task never reached the
    broker, oldest first; the younger ones are still on their way. A run the watchdog
    stalled while the broker was down is sent too, unless it was retried. Returns how many
    were sent. A run sent twice is harmless: a worker starts only a Queued or Stalled run
    and resumes a Running one (``process_run_execute``)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = ProcessRun.objects.filter(
        status__in=[RunStatus.QUEUED, RunStatus.STALLED],
        retry__isnull=True,
        dispatched_at__isnull=True,
        queued_at__lt=cutoff,
    ).order_by("pk")
    return sum(process_run_dispatch(run=run) for run in pending)


class RunProgress:
    """Keeps a run's counts, checkpoint and heartbeat, and its timeline's chunk events,
    inside each chunk's own transaction: what the log says is what was committed.

    A run started again (a redelivered task, a Stalled run whose task turns up) resumes
    each pass after the last pk it committed and counts each line once: a pass's total
    is what it examined before plus what is left after that pk."""

    def __init__(self, run: ProcessRun):
        self.run_id = run.pk
        self.passes_begun = 0

    @transaction.atomic
    def started(self, queryset) -> int:
        index = self.passes_begun
        self.passes_begun += 1
        run = process_run_lock(self.run_id)
        passes = run.checkpoint
        if index == len(passes):
            passes.append({"after": 0, "examined": 0, "total": 0})
        this_pass = passes[index]
        this_pass["total"] = (
            this_pass["examined"] + queryset.filter(pk__gt=this_pass["after"]).count()
        )
        ProcessRun.objects.filter(pk=run.pk).update(
            checkpoint=passes,
            lines_total=sum(each["total"] for each in passes),
            heartbeat_at=timezone.now(),
        )
        return this_pass["after"]

    def chunk_done(self, chunk: ProcessResult, last_pk: int) -> None:
        run = process_run_lock(self.run_id)
        if run.status != RunStatus.RUNNING:
            # Stalled yet alive (a slow chunk): progress again, unless it was retried or
            # cancelled meanwhile; then this chunk rolls back and the worker stops.
            _move(run, "start", RunEvent.STARTED, note=PROGRESS_AFTER_STALL, when=timezone.now())
        now = timezone.now()
        this_pass = run.checkpoint[self.passes_begun - 1]
        this_pass["after"] = max(this_pass["after"], last_pk)
        this_pass["examined"] += chunk.examined
        failed = len(chunk.failures)
        ProcessRun.objects.filter(pk=run.pk).update(
            checkpoint=run.checkpoint,
            lines_done=F("lines_done") + chunk.examined - failed,
            documents_made=F("documents_made") + chunk.created,
            lines_failed=F("lines_failed") + failed,
            heartbeat_at=now,
        )
        ProcessRunEvent.objects.create(
            run=run,
            kind=RunEvent.CHUNK,
            at=now,
            lines=chunk.examined,
            documents=chunk.created,
            failures=failed,
        )
        ProcessRunFailure.objects.bulk_create(
            ProcessRunFailure(
                run=run,
                source=failure.source,
                source_id=failure.source_id,
                document_url=failure.document_url,
                reason=failure.reason,
            )
            for failure in chunk.failures
        )


def _service_arguments(parameters: dict) -> dict:
    """Run parameters as the service takes them: ids stay ids, dates become dates."""
    return {
        key: date.fromisoformat(value) if key in DATE_PARAMETERS else value
        for key, value in parameters.items()
    }


def _move(run: ProcessRun, transition: str, event: str, *, actor=None, note="", **kwargs):
    """Move a locked run and write the timeline's event in the same transaction; a move
    the run's status refuses stops the worker (``RunStopped``), leaving the run as is."""
    try:
        apply_transition(run, transition, actor=actor, **kwargs)
    except TransitionRefused as refused:
        stopped = f"{refused.message} (retried as #{run.retry_id})" if run.retry_id else refused
        raise RunStopped(str(stopped)) from refused
    run.save()
    ProcessRunEvent.objects.create(run=run, kind=event, actor=actor, note=note)
    return run


@transaction.atomic
def _process_run_transition(run_id: int, transition: str, event: str, **kwargs) -> ProcessRun:
    """Move the run to its next status in a short transaction of its own, so that the
    page shows it while the process works."""
    # A task delivered twice moves the run once: the second finds its status moved on.
    return _move(process_run_lock(run_id), transition, event, **kwargs)


def process_run_execute(*, run_id: int, service) -> ProcessRun:
    """Run ``service`` for a queued run and log the outcome.

    A line the service refuses is a failure of that line. Anything else that goes wrong,
    starting included (a locked database, a lost connection), ends the run Failed with
    the error, keeping the chunks already committed (a retry takes the rest): a run is
    never left Queued or Running by an error. A run cancelled, retried or finished
    elsewhere is left as it is (``RunStopped``).
    """
    try:
        run = ProcessRun.objects.get(pk=run_id)
        resumed = run.status != RunStatus.QUEUED
        run = _process_run_transition(
            run_id, "start", RunEvent.STARTED, note=RESUMED if resumed else "", when=timezone.now()
        )
        result = service(
            actor=run.requested_by or system_user(),
            progress=RunProgress(run),
            **_service_arguments(run.parameters),
        )
        finish, event = (
            ("finish_with_failures", RunEvent.WITH_FAILURES)
            if result.failures
            else ("succeed", RunEvent.SUCCEEDED)
        )
        return _process_run_transition(run_id, finish, event, when=timezone.now())
    except RunStopped as stopped:
        logger.warning("Run %s left as it is: %s", run_id, stopped)
        return ProcessRun.objects.get(pk=run_id)
    except Exception as error:
        logger.exception("Run %s stopped", run_id)
        return _process_run_fail(run_id, f"{type(error).__name__}: {error}")


def _process_run_fail(run_id: int, error: str) -> ProcessRun:
    """Mark the run Failed with ``error``. If even that fails (the database is gone), the
    error goes to the task and the watchdog marks the run Stalled after its limit."""
    try:
        return _process_run_transition(
            run_id, "fail", RunEvent.FAILED, note=error, when=timezone.now(), error=error
        )
    except RunStopped:
        return ProcessRun.objects.get(pk=run_id)


def _require_may_act_on(actor, run: ProcessRun) -> None:
    """Whoever may run the process (registry) and sees the run (its business unit)."""
    run.definition.require_may_be_run_by(actor)
    if not runs_visible_to(actor).filter(pk=run.pk).exists():
        raise PermissionRefused(RUN_OF_ANOTHER_UNIT.format(actor=actor, run=run))


@transaction.atomic
def process_runs_watch() -> list[ProcessRun]:
    """The watchdog (beat, every 5 minutes): mark Stalled every Queued or Running run with
    no sign of life (``heartbeat_at``) for longer than its process allows (registry
    ``queued_limit`` / ``running_limit``). Returns the runs it stalled."""
    now = timezone.now()
    silent = Q(pk__in=[])
    for definition in PROCESSES.values():
        silent |= Q(
            process=definition.code,
            status=RunStatus.QUEUED,
            heartbeat_at__lt=now - definition.queued_limit,
        )
        silent |= Q(
            process=definition.code,
            status=RunStatus.RUNNING,
            heartbeat_at__lt=now - definition.running_limit,
        )
    # A run whose worker is committing a chunk holds its row: it is alive, pass it by.
    runs = list(
        ProcessRun.objects.filter(silent)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")
    )
    for run in runs:
        limit = (
            run.definition.queued_limit
            if run.status == RunStatus.QUEUED
            else (run.definition.running_limit)
        )
        note = STALLED_NOTE.format(
            status=run.get_status_display().lower(),
            since=timezone.localtime(run.heartbeat_at),
            limit=limit_in_words(limit),
        )
        _move(run, "stall", RunEvent.STALLED, note=note)
    return runs


@transaction.atomic
def process_run_cancel(*, actor, run: ProcessRun, reason: str) -> ProcessRun:
    """Cancel a queued, running or stalled run with a reason. A worker on it stops at its
    next chunk (that chunk rolls back); chunks committed before stay done."""
    _require_may_act_on(actor, run)
    reason = require_reason(reason, "the run is cancelled")
    run = process_run_lock(run.pk)
    if not run.can_cancel:
        _refuse(run, RUN_NOT_CANCELLABLE)
    apply_transition(run, "cancel", actor=actor, when=timezone.now(), why=reason)
    run.save()
    ProcessRunEvent.objects.create(run=run, kind=RunEvent.CANCELLED, actor=actor, note=reason)
    return run


@transaction.atomic
def process_run_retry(*, actor, run: ProcessRun) -> ProcessRun:
    """Retry a stalled or failed run: a new run with its parameters, queued like a manual
    one. It resumes where the old one stopped because what that one committed has left
    the selection (each process's unique constraints and status claims), so no line is
    done or counted twice; the old run never starts again. Returns the new run."""
    _require_may_act_on(actor, run)
    run = process_run_lock(run.pk)
    if not run.can_retry:
        _refuse(run, RUN_NOT_RETRYABLE)
    return _retry(run, actor=actor, parameters=run.parameters)


@transaction.atomic
def process_run_retry_failed_lines(*, actor, run: ProcessRun) -> ProcessRun:
    """Queue a run limited to the lines ``run`` recorded as failed (the process's
    ``line_parameter``, e.g. Generate's supply orders). Returns the new run."""
    _require_may_act_on(actor, run)
    parameter = run.definition.line_parameter
    if not parameter:
        raise ValidationRefused(LINES_NOT_RETRYABLE.format(process=run.definition.name))
    run = process_run_lock(run.pk)
    if not run.can_retry_failed_lines:
        _refuse(run, RUN_HAS_NO_FAILED_LINES)
    lines = sorted(set(run.failures.exclude(source_id=None).values_list("source_id", flat=True)))
    return _retry(run, actor=actor, parameters={**run.parameters, parameter: lines})


def _refuse(run: ProcessRun, message: str):
    """Why the run's status refuses the action: it was retried, or ``message``."""
    if run.is_retried:
        raise TransitionRefused(RUN_ALREADY_RETRIED.format(run=run, retry=run.retry))
    raise TransitionRefused(message.format(run=run, status=run.get_status_display()))


def _retry(run: ProcessRun, *, actor, parameters: dict) -> ProcessRun:
    retry = process_run_queue(
        process=run.process,
        parameters=parameters,
        requested_by=actor,
        schedule_name=run.schedule_name,
        note=RETRY_OF.format(run=run),
    )
    apply_transition(run, "mark_retried", actor=actor, retry=retry)
    run.save()
    ProcessRunEvent.objects.create(
        run=run, kind=RunEvent.RETRIED, actor=actor, note=RETRIED_AS.format(retry=retry)
    )
    return retry
