"""Acceptance (issue 11, 3 first half): a run no worker takes is shown Stalled after its
limit, and Retry finishes it exactly once when a worker is back, with a real Celery worker.
The stalled run's own task is still on the broker and reaches the worker first: it starts
nothing beside its retry."""

import dataclasses
import time
from datetime import timedelta

import pytest

from orchestration.demo import bulk_book_orders
from processes.models import ProcessRun, RunEvent, RunStatus
from processes.registry import PROCESSES
from processes.services import process_run_queue, process_run_retry, process_runs_watch
from procurement.models import RequisitionLine
from procurement.services import orders_progress
from tests.processes.real_workers import finished, start_worker, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

QUEUED_LIMIT = timedelta(seconds=2)


def test_a_run_no_worker_takes_is_stalled_and_its_retry_finishes_it_once(
    world, private_broker, tmp_path, monkeypatch
):
    monkeypatch.setitem(
        PROCESSES,
        "generate_supply_orders",
        dataclasses.replace(PROCESSES["generate_supply_orders"], queued_limit=QUEUED_LIMIT),
    )
    bulk_book_orders(world, count=150)
    orders_progress(actor=world.users["manager"])
    run = process_run_queue(
        process="generate_supply_orders",
        parameters={"batch_size": 10, "business_unit": world.units["US1"].pk},
        requested_by=world.users["ops"],
    )
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and run.dispatched_at is not None  # on the broker
    assert process_runs_watch() == []  # within its limit

    time.sleep(QUEUED_LIMIT.total_seconds() + 0.5)  # no worker anywhere
    assert process_runs_watch() == [run]
    retry = process_run_retry(actor=world.users["ops"], run=run)

    log = tmp_path / "worker.log"
    worker = start_worker(private_broker.url, log)
    try:
        wait_for(retry, finished, timeout=120, worker=worker)
    finally:
        worker.stop()

    retry = ProcessRun.objects.get(pk=retry.pk)
    run = ProcessRun.objects.get(pk=run.pk)
    assert (retry.status, retry.lines_total, retry.lines_done, retry.documents_made) == (
        RunStatus.SUCCEEDED,
        150,
        150,
        150,
    )
    # The stalled run's task came first and did nothing.
    assert f"Run {run.pk} left as it is" in log.read_text()
    assert (run.status, run.started_at, run.lines_done, run.retry) == (
        RunStatus.STALLED,
        None,
        0,
        retry,
    )
    assert RequisitionLine.objects.count() == 150
    assert RequisitionLine.objects.values("supply_order").distinct().count() == 150
    assert list(run.events.order_by("at", "pk").values_list("kind", flat=True)) == [
        RunEvent.QUEUED,
        RunEvent.DISPATCHED,
        RunEvent.STALLED,
        RunEvent.RETRIED,
    ]
    kinds = list(retry.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == [
        RunEvent.QUEUED,
        RunEvent.DISPATCHED,
        RunEvent.STARTED,
        *[RunEvent.CHUNK] * 15,
        RunEvent.SUCCEEDED,
    ]
