"""The run lifecycle (issue 11): a run that cannot start or crashes is Failed, never left
Queued or Running; the watchdog marks silent runs Stalled after their process's limit;
Retry (a new run) and Cancel (with a reason) for whoever may run the process, in their
units; a redelivered run resumes after its last chunk and counts each line once; the
timeline records each step, chunks in their own transaction."""

import dataclasses
import importlib
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from b2b_portal.errors import PermissionRefused, TransitionRefused, ValidationRefused
from orchestration.demo import bulk_book_orders
from processes import services
from processes.models import ProcessRun, ProcessRunEvent, RunEvent, RunStatus
from processes.registry import PROCESSES, RUN_REFUSED
from processes.selectors import runs_waiting_on
from processes.services import (
    LINES_NOT_RETRYABLE,
    RUN_ALREADY_RETRIED,
    RUN_HAS_NO_FAILED_LINES,
    RUN_NOT_CANCELLABLE,
    RUN_NOT_RETRYABLE,
    RUN_OF_ANOTHER_UNIT,
    RunProgress,
    process_run_cancel,
    process_run_execute,
    process_run_queue,
    process_run_retry,
    process_run_retry_failed_lines,
    process_runs_dispatch_pending,
    process_runs_watch,
)
from procurement.models import RequisitionLine, SupplyOrder, SupplyStatus
from procurement.services import orders_progress, supply_orders_generate
from tests.helpers import place_order, unit_user

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs, no handler catches it."""


def open_supply_orders(world, count):
    bulk_book_orders(world, count=count)
    orders_progress(actor=world.users["manager"])
    ProcessRun.objects.all().delete()  # the bookings' own Progress Order runs
    assert SupplyOrder.objects.filter(status=SupplyStatus.OPEN).count() == count


def queue_generate(world, user="ops", **parameters):
    return process_run_queue(
        process="generate_supply_orders",
        parameters={"business_unit": world.units["US1"].pk, **parameters},
        requested_by=world.users[user],
    )


def bare_run(world, process="generate_supply_orders", **parameters):
    """A queued run row without its on-commit send: in a transactional test the send
    would run the task eagerly at once."""
    return ProcessRun.objects.create(
        process=process,
        parameters={"business_unit": world.units["US1"].pk, **parameters},
        requested_by=world.users["ops"],
    )


def silent_for(run, minutes):
    ProcessRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=minutes)
    )


def stalled_run(world, **parameters):
    run = queue_generate(world, **parameters)
    silent_for(run, 16)
    assert process_runs_watch() == [run]
    run.refresh_from_db()
    return run


def kinds(run):
    return list(run.events.order_by("at", "pk").values_list("kind", flat=True))


def unchanged(run):
    """The run's row and timeline as they are, to compare after a refused action."""
    run.refresh_from_db()
    return (run.status, run.retry_id, run.cancel_reason, run.finished_at, run.events.count())


# --- a run is never left Queued or Running by an error ----------------------------------


def test_a_run_that_cannot_start_is_failed_with_the_error(world, monkeypatch):
    run = queue_generate(world)
    lock = services.process_run_lock
    calls = []

    def locked_database(pk):
        calls.append(pk)
        if len(calls) == 1:  # the start; marking it failed then gets through
            raise OperationalError("database is locked")
        return lock(pk)

    monkeypatch.setattr(services, "process_run_lock", locked_database)
    run = process_run_execute(run_id=run.pk, service=supply_orders_generate)

    assert run.status == RunStatus.FAILED
    assert run.error == "OperationalError: database is locked"
    assert run.finished_at is not None
    assert kinds(run) == [RunEvent.QUEUED, RunEvent.FAILED]


@pytest.mark.parametrize("where", ["service", "finish"])
def test_a_run_that_crashes_outside_a_chunk_is_failed(world, monkeypatch, where):
    open_supply_orders(world, 3)
    run = queue_generate(world)
    service = supply_orders_generate
    if where == "service":

        def service(**kwargs):
            raise ConnectionError("connection to the database lost")
    else:
        move = services._move

        def finish_fails(run, transition, event, **kwargs):
            if transition == "succeed":
                raise ConnectionError("connection to the database lost")
            return move(run, transition, event, **kwargs)

        monkeypatch.setattr(services, "_move", finish_fails)

    run = process_run_execute(run_id=run.pk, service=service)

    assert run.status == RunStatus.FAILED
    assert run.error == "ConnectionError: connection to the database lost"
    assert kinds(run)[-1] == RunEvent.FAILED


# --- the watchdog ----------------------------------------------------------------------


def test_the_watchdog_stalls_runs_silent_past_their_process_limit(world):
    queued = queue_generate(world)
    running = queue_generate(world)
    ProcessRun.objects.filter(pk=running.pk).update(status=RunStatus.RUNNING)
    young = queue_generate(world)
    daily = process_run_queue(
        process="late_supply",
        parameters={"business_unit": world.units["US1"].pk},
        requested_by=world.users["ops"],
    )
    finished = queue_generate(world)
    ProcessRun.objects.filter(pk=finished.pk).update(status=RunStatus.SUCCEEDED)
    silent_for(queued, 16)  # Generate may wait 15 min queued
    silent_for(running, 11)  # and 10 min between chunks
    silent_for(young, 14)
    silent_for(daily, 20)  # Late Supply may wait 30 min queued
    silent_for(finished, 60)

    assert process_runs_watch() == [queued, running]

    statuses = dict(ProcessRun.objects.values_list("pk", "status"))
    assert statuses[queued.pk] == statuses[running.pk] == RunStatus.STALLED
    assert statuses[young.pk] == statuses[daily.pk] == RunStatus.QUEUED
    assert statuses[finished.pk] == RunStatus.SUCCEEDED
    event = queued.events.get(kind=RunEvent.STALLED)
    assert event.actor is None and "No progress while queued since" in event.note
    assert "(limit 15 min)" in event.note
    assert "(limit 10 min)" in running.events.get(kind=RunEvent.STALLED).note
    assert process_runs_watch() == []  # once


def test_the_limits_are_the_registry_s(world, monkeypatch):
    monkeypatch.setitem(
        PROCESSES,
        "generate_supply_orders",
        dataclasses.replace(PROCESSES["generate_supply_orders"], queued_limit=timedelta(minutes=1)),
    )
    run = queue_generate(world)
    silent_for(run, 2)
    assert process_runs_watch() == [run]


def test_beat_runs_the_watchdog_every_5_minutes_between_the_process_schedules():
    """Read from the migrations themselves: a transactional test elsewhere may have
    flushed the rows they made."""
    from celery.schedules import crontab_parser
    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    watchdog_migration = importlib.import_module("processes.migrations.0009_watchdog_schedule")
    stagger_migration = importlib.import_module(
        "processes.migrations.0007_stagger_default_schedules"
    )
    watchdog_migration.create_schedule(apps, None)  # idempotent: get_or_create

    watchdog = PeriodicTask.objects.get(name=watchdog_migration.NAME)
    assert (watchdog.task, watchdog.enabled) == ("processes.watch_runs", True)
    assert watchdog.crontab.minute == "3-59/5"
    minutes = crontab_parser(60).parse
    process_minutes = set().union(*(minutes(m) for m in stagger_migration.STAGGERED.values()))
    assert process_minutes and not process_minutes & minutes(watchdog.crontab.minute)


def test_stalled_and_failed_runs_wait_on_operations_until_retried(world):
    stalled = stalled_run(world)
    failed = queue_generate(world)
    ProcessRun.objects.filter(pk=failed.pk).update(status=RunStatus.FAILED)
    queue_generate(world)  # queued: nothing to do yet

    assert list(runs_waiting_on(world.users["ops"])) == [stalled, failed]
    assert list(runs_waiting_on(world.users["ar"])) == []  # not a process of theirs
    assert list(runs_waiting_on(unit_user(world, "eu-ops", "Operations"))) == []
    process_run_retry(actor=world.users["ops"], run=stalled)
    assert list(runs_waiting_on(world.users["ops"])) == [failed]


# --- retry -------------------------------------------------------------------------------


def test_retry_finishes_a_stalled_run_exactly_once_and_its_late_task_does_nothing(world):
    open_supply_orders(world, 40)
    stalled = stalled_run(world, batch_size=15)

    retry = process_run_retry(actor=world.users["manager"], run=stalled)

    stalled.refresh_from_db()
    assert (stalled.status, stalled.retry) == (RunStatus.STALLED, retry)
    assert (retry.status, retry.parameters, retry.requested_by) == (
        RunStatus.QUEUED,
        stalled.parameters,
        world.users["manager"],
    )
    retried = stalled.events.get(kind=RunEvent.RETRIED)
    assert (retried.actor, retried.note) == (world.users["manager"], f"Retried as {retry}.")
    assert retry.events.get(kind=RunEvent.QUEUED).note == f"Retry of {stalled}."

    retry = process_run_execute(run_id=retry.pk, service=supply_orders_generate)
    # The stalled run's task turns up after all: it starts nothing.
    late = process_run_execute(run_id=stalled.pk, service=supply_orders_generate)

    assert (retry.status, retry.lines_total, retry.lines_done, retry.documents_made) == (
        RunStatus.SUCCEEDED,
        40,
        40,
        40,
    )
    assert (late.status, late.lines_total, late.lines_done, late.started_at) == (
        RunStatus.STALLED,
        0,
        0,
        None,
    )
    assert RequisitionLine.objects.count() == 40
    assert RequisitionLine.objects.values("supply_order").distinct().count() == 40
    assert kinds(retry) == [
        RunEvent.QUEUED,
        RunEvent.STARTED,
        RunEvent.CHUNK,
        RunEvent.CHUNK,
        RunEvent.CHUNK,
        RunEvent.SUCCEEDED,
    ]


def test_retry_of_a_run_failed_half_way_does_the_rest_and_counts_it_once(world, monkeypatch):
    open_supply_orders(world, 30)
    run = queue_generate(world, batch_size=10)
    chunk_done = RunProgress.chunk_done

    def crash_in_second_chunk(self, chunk, last_pk):
        if self.run_id == run.pk and RequisitionLine.objects.count() > 10:
            raise RuntimeError("out of memory")
        chunk_done(self, chunk, last_pk)

    monkeypatch.setattr(RunProgress, "chunk_done", crash_in_second_chunk)
    failed = process_run_execute(run_id=run.pk, service=supply_orders_generate)
    assert (failed.status, failed.lines_done, failed.lines_total) == (RunStatus.FAILED, 10, 30)

    retry = process_run_retry(actor=world.users["ops"], run=failed)
    retry = process_run_execute(run_id=retry.pk, service=supply_orders_generate)

    assert (retry.status, retry.lines_done, retry.lines_total) == (RunStatus.SUCCEEDED, 20, 20)
    assert RequisitionLine.objects.count() == 30


def test_a_stalled_run_whose_task_turns_up_before_a_retry_runs_and_is_not_retried(world):
    open_supply_orders(world, 5)
    stalled = stalled_run(world)

    run = process_run_execute(run_id=stalled.pk, service=supply_orders_generate)

    assert (run.status, run.lines_done) == (RunStatus.SUCCEEDED, 5)
    with pytest.raises(TransitionRefused) as refused:
        process_run_retry(actor=world.users["ops"], run=run)
    assert refused.value.message == RUN_NOT_RETRYABLE.format(run=run, status="Succeeded")


def test_a_run_stalled_while_the_broker_was_down_is_sent_by_the_relay(world):
    stalled = stalled_run(world)  # on commit never ran here: never dispatched
    ProcessRun.objects.filter(pk=stalled.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    retried = stalled_run(world)
    ProcessRun.objects.filter(pk=retried.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    process_run_retry(actor=world.users["ops"], run=retried)

    assert process_runs_dispatch_pending() == 1  # the stalled one, not the retried one
    stalled.refresh_from_db()
    assert stalled.status == RunStatus.SUCCEEDED  # eager tasks: sent and run
    assert ProcessRun.objects.get(pk=retried.pk).status == RunStatus.STALLED


@pytest.mark.parametrize("username", ["clerk", "ar", "eu-ops"])
def test_retry_and_cancel_are_refused_to_who_may_not_run_the_process_in_the_unit(world, username):
    stalled = stalled_run(world)
    actor = (
        unit_user(world, "eu-ops", "Operations") if username == "eu-ops" else world.users[username]
    )
    before = unchanged(stalled)
    runs = ProcessRun.objects.count()

    for action in (
        lambda: process_run_retry(actor=actor, run=stalled),
        lambda: process_run_cancel(actor=actor, run=stalled, reason="not mine"),
    ):
        with pytest.raises(PermissionRefused) as refused:
            action()
        expected = (
            RUN_OF_ANOTHER_UNIT.format(actor=actor, run=stalled)
            if username == "eu-ops"
            else RUN_REFUSED.format(user=actor, process="Generate Supply Orders")
        )
        assert refused.value.message == expected

    assert unchanged(stalled) == before
    assert ProcessRun.objects.count() == runs


def test_the_ar_accountant_retries_an_autoinvoice_run(world):
    run = process_run_queue(
        process="autoinvoice_import",
        parameters={"business_unit": world.units["US1"].pk},
        requested_by=world.users["ar"],
    )
    silent_for(run, 16)
    process_runs_watch()
    retry = process_run_retry(actor=world.users["ar"], run=run)
    assert (retry.process, retry.requested_by) == ("autoinvoice_import", world.users["ar"])


@pytest.mark.parametrize("status", [RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.SUCCEEDED])
def test_only_a_stalled_or_failed_run_is_retried(world, status):
    run = queue_generate(world)
    ProcessRun.objects.filter(pk=run.pk).update(status=status)
    before, runs = unchanged(run), ProcessRun.objects.count()

    with pytest.raises(TransitionRefused) as refused:
        process_run_retry(actor=world.users["ops"], run=run)

    assert refused.value.message == RUN_NOT_RETRYABLE.format(
        run=run, status=run.get_status_display()
    )
    assert unchanged(run) == before and ProcessRun.objects.count() == runs


def test_a_run_is_retried_once(world):
    stalled = stalled_run(world)
    retry = process_run_retry(actor=world.users["ops"], run=stalled)
    before, runs = unchanged(stalled), ProcessRun.objects.count()

    for action in (
        lambda: process_run_retry(actor=world.users["ops"], run=stalled),
        lambda: process_run_cancel(actor=world.users["ops"], run=stalled, reason="too late"),
    ):
        with pytest.raises(TransitionRefused) as refused:
            action()
        assert refused.value.message == RUN_ALREADY_RETRIED.format(run=stalled, retry=retry)

    assert unchanged(stalled) == before and ProcessRun.objects.count() == runs


# --- retry failed lines ------------------------------------------------------------------


def test_retry_failed_lines_runs_only_those_lines(world):
    item = world.items["SRV-R760-XA"]
    place_order(world, ("SRV-DL380-G11", "1"), ("SRV-R760-XA", "2"))
    orders_progress(actor=world.users["manager"])
    item.purchasable = False
    item.save()
    run = process_run_execute(run_id=queue_generate(world).pk, service=supply_orders_generate)
    assert (run.status, run.lines_total, run.lines_done, run.lines_failed) == (
        RunStatus.COMPLETED_WITH_FAILURES,
        2,
        1,
        1,
    )
    [failure] = run.failures.all()
    failed_supply = SupplyOrder.objects.get(item=item)
    assert (failure.source_id, failure.document_url) == (
        failed_supply.pk,
        failed_supply.sales_order_line.get_absolute_url(),
    )
    # Another open supply order appears; the retry of the failed line leaves it alone.
    place_order(world, ("SRV-DL380-G11", "1"))
    orders_progress(actor=world.users["manager"])
    item.purchasable = True
    item.save()

    retry = process_run_retry_failed_lines(actor=world.users["ops"], run=run)
    assert retry.parameters["supply_orders"] == [failed_supply.pk]
    retry = process_run_execute(run_id=retry.pk, service=supply_orders_generate)

    assert (retry.status, retry.lines_total, retry.lines_done) == (RunStatus.SUCCEEDED, 1, 1)
    assert RequisitionLine.objects.get(supply_order=failed_supply)
    assert SupplyOrder.objects.filter(status=SupplyStatus.OPEN).count() == 1
    assert ProcessRun.objects.get(pk=run.pk).retry == retry


def test_retry_failed_lines_is_refused_where_it_does_not_apply(world):
    progress = queue_generate(world)
    ProcessRun.objects.filter(pk=progress.pk).update(process="progress_order")
    progress.refresh_from_db()
    with pytest.raises(ValidationRefused) as refused:
        process_run_retry_failed_lines(actor=world.users["ops"], run=progress)
    assert refused.value.message == LINES_NOT_RETRYABLE.format(process="Progress Order")

    succeeded = queue_generate(world)
    ProcessRun.objects.filter(pk=succeeded.pk).update(status=RunStatus.SUCCEEDED)
    before, runs = unchanged(succeeded), ProcessRun.objects.count()
    with pytest.raises(TransitionRefused) as refused:
        process_run_retry_failed_lines(actor=world.users["ops"], run=succeeded)
    assert refused.value.message == RUN_HAS_NO_FAILED_LINES.format(
        run=succeeded, status="Succeeded"
    )
    assert unchanged(succeeded) == before and ProcessRun.objects.count() == runs


# --- cancel ------------------------------------------------------------------------------


def test_a_cancelled_queued_run_never_starts(world):
    open_supply_orders(world, 3)
    run = queue_generate(world)

    run = process_run_cancel(actor=world.users["ops"], run=run, reason="  wrong unit chosen ")
    assert (run.status, run.cancel_reason) == (RunStatus.CANCELLED, "wrong unit chosen")
    assert run.finished_at is not None
    event = run.events.get(kind=RunEvent.CANCELLED)
    assert (event.actor, event.note) == (world.users["ops"], "wrong unit chosen")

    late = process_run_execute(run_id=run.pk, service=supply_orders_generate)
    assert (late.status, late.lines_done) == (RunStatus.CANCELLED, 0)
    assert not RequisitionLine.objects.exists()


def test_a_running_run_cancelled_stops_at_its_next_chunk(world, monkeypatch):
    open_supply_orders(world, 30)
    run = queue_generate(world, batch_size=10)
    chunk_done = RunProgress.chunk_done

    def cancel_after_first_chunk(self, chunk, last_pk):
        chunk_done(self, chunk, last_pk)  # the second chunk stops here: the run is cancelled
        process_run_cancel(actor=world.users["ops"], run=run, reason="stop it")

    monkeypatch.setattr(RunProgress, "chunk_done", cancel_after_first_chunk)
    run = process_run_execute(run_id=run.pk, service=supply_orders_generate)

    assert (run.status, run.lines_done, run.cancel_reason) == (RunStatus.CANCELLED, 10, "stop it")
    assert RequisitionLine.objects.count() == 10  # the second chunk rolled back
    assert kinds(run) == [RunEvent.QUEUED, RunEvent.STARTED, RunEvent.CHUNK, RunEvent.CANCELLED]


def test_a_slow_run_stalled_goes_on_but_stops_once_retried(world, monkeypatch):
    """A run stalled while its worker was only slow: its next chunk moves it back to
    Running; once it is retried, its worker stops at the next chunk (rolled back) and the
    retry does the rest."""
    open_supply_orders(world, 30)
    run = queue_generate(world, batch_size=10)
    chunk_done = RunProgress.chunk_done
    retries = []

    def watchdog_between_chunks(self, chunk, last_pk):
        chunk_done(self, chunk, last_pk)
        silent_for(run, 11)
        process_runs_watch()
        if RequisitionLine.objects.count() == 20:  # stalled twice: now retried
            retries.append(process_run_retry(actor=world.users["ops"], run=run))

    monkeypatch.setattr(RunProgress, "chunk_done", watchdog_between_chunks)
    run = process_run_execute(run_id=run.pk, service=supply_orders_generate)

    assert (run.status, run.lines_done, run.retry) == (RunStatus.STALLED, 20, retries[0])
    assert RequisitionLine.objects.count() == 20  # the third chunk rolled back
    assert kinds(run) == [
        RunEvent.QUEUED,
        RunEvent.STARTED,
        RunEvent.CHUNK,
        RunEvent.STALLED,
        RunEvent.STARTED,  # progress again after stalling
        RunEvent.CHUNK,
        RunEvent.STALLED,
        RunEvent.RETRIED,
    ]
    monkeypatch.setattr(RunProgress, "chunk_done", chunk_done)
    retry = process_run_execute(run_id=retries[0].pk, service=supply_orders_generate)
    assert (retry.status, retry.lines_total, retry.lines_done) == (RunStatus.SUCCEEDED, 10, 10)
    assert RequisitionLine.objects.count() == 30


@pytest.mark.parametrize("status", [RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED])
def test_a_finished_run_is_not_cancelled(world, status):
    run = queue_generate(world)
    ProcessRun.objects.filter(pk=run.pk).update(status=status)
    before = unchanged(run)

    with pytest.raises(TransitionRefused) as refused:
        process_run_cancel(actor=world.users["ops"], run=run, reason="tidy up")

    assert refused.value.message == RUN_NOT_CANCELLABLE.format(
        run=run, status=run.get_status_display()
    )
    assert unchanged(run) == before


def test_a_cancel_needs_a_reason(world):
    run = queue_generate(world)
    before = unchanged(run)
    with pytest.raises(ValidationRefused) as refused:
        process_run_cancel(actor=world.users["ops"], run=run, reason="   ")
    assert refused.value.message == "Say why the run is cancelled."
    assert unchanged(run) == before


# --- a redelivered run counts each line once ---------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_redelivered_run_resumes_after_its_last_chunk_and_counts_each_line_once(
    world, monkeypatch
):
    open_supply_orders(world, 25)
    run = bare_run(world, batch_size=10)
    chunk_done = RunProgress.chunk_done

    def killed_in_second_chunk(self, chunk, last_pk):
        if RequisitionLine.objects.count() > 10:
            raise WorkerKilled
        chunk_done(self, chunk, last_pk)

    monkeypatch.setattr(RunProgress, "chunk_done", killed_in_second_chunk)
    with pytest.raises(WorkerKilled):
        process_run_execute(run_id=run.pk, service=supply_orders_generate)
    run.refresh_from_db()
    first_start = run.started_at
    assert (run.status, run.lines_total, run.lines_done) == (RunStatus.RUNNING, 25, 10)

    monkeypatch.setattr(RunProgress, "chunk_done", chunk_done)
    run = process_run_execute(run_id=run.pk, service=supply_orders_generate)

    assert run.status == RunStatus.SUCCEEDED
    assert (run.lines_total, run.lines_done, run.documents_made) == (25, 25, 25)
    assert run.started_at == first_start
    last_supply_order = SupplyOrder.objects.order_by("pk").last().pk
    assert run.checkpoint == [{"after": last_supply_order, "examined": 25, "total": 25}]
    assert RequisitionLine.objects.count() == 25
    started = run.events.filter(kind=RunEvent.STARTED).order_by("pk")
    assert [event.note for event in started] == ["", services.RESUMED]
    assert ProcessRunEvent.objects.filter(run=run, kind=RunEvent.CHUNK).count() == 3


@pytest.mark.django_db(transaction=True)
def test_progress_order_s_two_passes_resume_and_count_once(world, monkeypatch):
    """Progress Order walks Back-to-Back lines, then stocked lines: a run killed in its
    second pass resumes that pass and keeps the first pass's count."""
    bulk_book_orders(world, count=12)
    bulk_book_orders(world, count=3, item_number="CBL-CAT6-3M")
    run = bare_run(world, "progress_order", batch_size=5)
    chunk_done = RunProgress.chunk_done

    def killed_in_second_pass(self, chunk, last_pk):
        if self.passes_begun == 2:
            raise WorkerKilled
        chunk_done(self, chunk, last_pk)

    monkeypatch.setattr(RunProgress, "chunk_done", killed_in_second_pass)
    with pytest.raises(WorkerKilled):
        process_run_execute(run_id=run.pk, service=orders_progress)
    monkeypatch.setattr(RunProgress, "chunk_done", chunk_done)
    run = process_run_execute(run_id=run.pk, service=orders_progress)

    assert run.status == RunStatus.SUCCEEDED
    assert (run.lines_total, run.lines_done) == (15, 15)
    assert [(each["examined"], each["total"]) for each in run.checkpoint] == [(12, 12), (3, 3)]
