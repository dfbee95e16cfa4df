"""Queueing and executing scheduled-process runs, and keeping their log.

A run is a row first (Queued), then a Celery task by its registered name, dispatched
after the commit that made the row. The task calls the process's service with the run's
parameters and a progress reporter that writes lines done after each committed chunk.
"""

import logging
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from b2b_portal.celery import app as celery_app
from b2b_portal.errors import PermissionRefused, ValidationRefused
from b2b_portal.transitions import apply_transition
from catalog.units import require_business_unit, works_in_every_unit

from .batching import ProcessResult
from .models import ProcessRun, ProcessRunFailure, RunStatus, Trigger
from .registry import PROCESSES, ProcessDefinition

logger = logging.getLogger(__name__)

SYSTEM_USERNAME = "scheduler"
DATE_PARAMETERS = ("date_from", "date_to")
RUN_NEEDS_A_UNIT = "Choose the business unit the process runs for: you do not work in every unit."


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
) -> ProcessRun:
    """Log a queued run and hand it to a worker once the caller's transaction commits.

    A person asking for a run by hand must be allowed to run the process (the registry
    says who is), over a unit they work in. Runs a schedule or an event starts are not
    checked here: the schedule's author was checked when it was made, and an event follows
    a service that checked its own permission (booking queues Progress Order for a clerk)."""
    definition = _definition(process)
    if trigger == Trigger.MANUAL and requested_by is not None:
        definition.require_may_be_run_by(requested_by)
        _require_units(requested_by, parameters)
    run = ProcessRun.objects.create(
        process=process,
        parameters={key: value for key, value in (parameters or {}).items() if value is not None},
        trigger=trigger,
        requested_by=requested_by,
        schedule_name=schedule_name,
    )
    transaction.on_commit(lambda: process_run_dispatch(run=run))
    return run


def process_run_dispatch(*, run: ProcessRun) -> bool:
    """Hand a queued run's task to the broker and note when it got there. With the broker
    unreachable the run stays in the outbox (``dispatched_at`` empty) and the caller goes on:
    the relay sends it once the broker answers."""
    task = celery_app.tasks[run.definition.task_name]
    try:
        task.apply_async(args=[run.pk])
    except BrokerUnreachable:
        logger.warning(
            "Run %s not sent to the broker; the relay will send it.", run.pk, exc_info=True
        )
        return False
    ProcessRun.objects.filter(pk=run.pk, dispatched_at__isnull=True).update(
        dispatched_at=timezone.now()
    )
    return True


def process_runs_dispatch_pending(*, older_than_seconds: int = 30) -> int:
    """The relay (beat, every minute): send every Queued run whose task never reached the
    broker, oldest first; the younger ones are still on their way. Returns how many were
    sent. A run sent twice is harmless: a worker starts only a Queued run and resumes a
    Running one (``process_run_execute``)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = ProcessRun.objects.filter(
        status=RunStatus.QUEUED, dispatched_at__isnull=True, queued_at__lt=cutoff
    ).order_by("pk")
    return sum(process_run_dispatch(run=run) for run in pending)


class RunProgress:
    """Writes a run's counts after each committed chunk, so the page can show them live."""

    def __init__(self, run: ProcessRun):
        self.run = run

    def started(self, total: int) -> None:
        # Added, not set: a process may walk more than one kind of line (Progress Order).
        ProcessRun.objects.filter(pk=self.run.pk).update(lines_total=F("lines_total") + total)

    def chunk_done(self, chunk: ProcessResult) -> None:
        ProcessRun.objects.filter(pk=self.run.pk).update(
            lines_done=F("lines_done") + chunk.examined,
            documents_made=F("documents_made") + chunk.created,
            lines_failed=F("lines_failed") + len(chunk.failures),
        )
        ProcessRunFailure.objects.bulk_create(
            ProcessRunFailure(run=self.run, source=failure.source, reason=failure.reason)
            for failure in chunk.failures
        )


def _service_arguments(parameters: dict) -> dict:
    """Run parameters as the service takes them: ids stay ids, dates become dates."""
    return {
        key: date.fromisoformat(value) if key in DATE_PARAMETERS else value
        for key, value in parameters.items()
    }


@transaction.atomic
def _process_run_transition(run_id: int, transition: str, **kwargs) -> ProcessRun:
    """Move the run to its next status in a short transaction of its own, so that the
    page shows it while the process works."""
    # A task delivered twice moves the run once: the second finds its status moved on.
    run = ProcessRun.objects.select_for_update(of=("self",)).get(pk=run_id)
    apply_transition(run, transition, actor=None, **kwargs)
    run.save()
    return run


def process_run_execute(*, run_id: int, service) -> ProcessRun:
    """Run ``service`` for a queued run and log the outcome.

    A line the service refuses is a failure of that line; an unexpected error stops the
    run as Failed, keeping the chunks already committed (the next run takes the rest).
    """
    run = _process_run_transition(run_id, "start", when=timezone.now())
    actor = run.requested_by or system_user()
    try:
        result = service(
            actor=actor, progress=RunProgress(run), **_service_arguments(run.parameters)
        )
    except Exception as error:
        logger.exception("%s stopped", run)
        return _process_run_transition(
            run_id, "fail", when=timezone.now(), error=f"{type(error).__name__}: {error}"
        )
    finish = "finish_with_failures" if result.failures else "succeed"
    return _process_run_transition(run_id, finish, when=timezone.now())
