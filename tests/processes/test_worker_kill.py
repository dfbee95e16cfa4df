"""A worker killed mid-run (issue 11, item 5; acceptance 2): the broker gives the run's
message to a worker again (``task_acks_late``: nothing is acknowledged before the run
ends), which finishes the run with nothing doubled or lost.

- Killed whole (SIGKILL to the worker and its pool child, a lost host): the message stays
  unacknowledged in Redis until the visibility timeout, set short here, gives it back to
  the queue; a fresh worker takes it.
- Only the pool child killed (the OOM killer): the worker sees it lost and, with
  ``task_reject_on_worker_lost``, rejects the message back to the queue at once; its new
  child takes it.

Each test prints the measured redelivery delay (kill to the run's next committed chunk).
"""

import os
import signal
import time

import pytest
from django.db.models import Count

from orchestration.demo import bulk_book_orders
from orders.models import LineStatus, SalesOrderLine
from processes.models import ProcessRun, RunStatus
from processes.services import process_run_queue
from procurement.models import RequisitionLine, SupplyOrder, SupplyStatus
from tests.processes.real_workers import finished, run_state, start_worker, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

LINES = 2000
# Chunks of 100: twenty commits a run, so the kill lands mid-run, between chunks or in one.
BATCH_SIZE = 100
VISIBILITY_TIMEOUT = 4


def each_line_has_one_supply_order():
    assert SupplyOrder.objects.count() == LINES
    assert SupplyOrder.objects.values("sales_order_line").distinct().count() == LINES
    assert set(SalesOrderLine.objects.values_list("status", flat=True)) == {
        LineStatus.AWAITING_SUPPLY
    }


def each_supply_order_has_one_requisition_line():
    assert RequisitionLine.objects.count() == LINES
    assert not (
        RequisitionLine.objects.values("supply_order").annotate(n=Count("pk")).filter(n__gt=1)
    )
    assert set(SupplyOrder.objects.values_list("status", flat=True)) == {SupplyStatus.REQUISITIONED}


# Each process over the lines the one before it made: one set of 2,000 booked lines serves both.
FEEDING = [
    ("progress_order", each_line_has_one_supply_order),
    ("generate_supply_orders", each_supply_order_has_one_requisition_line),
]


def queue(world, process):
    return process_run_queue(
        process=process,
        parameters={"batch_size": BATCH_SIZE, "business_unit": world.units["US1"].pk},
        requested_by=world.users["ops"],
    )


def mid_run(status, lines_done):
    return status == RunStatus.RUNNING and lines_done >= 5 * BATCH_SIZE


def assert_finished_once(run, assert_documents_once):
    run = ProcessRun.objects.get(pk=run.pk)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert_documents_once()
    assert (run.lines_done, run.documents_made, run.lines_failed) == (LINES, LINES, 0)
    # Counted once although two deliveries started the run (runlife's resume counting).
    assert run.lines_total == LINES


def resumed_after(lines_at_kill):
    def more_done(status, lines_done):
        return lines_done > lines_at_kill or finished(status, lines_done)

    return more_done


def test_a_worker_killed_whole_mid_run_is_redelivered_and_finishes_the_run_once(
    world, private_broker, tmp_path
):
    bulk_book_orders(world, count=LINES)
    log = tmp_path / "worker.log"
    worker = start_worker(
        private_broker.url, log, pool="prefork", visibility_timeout=VISIBILITY_TIMEOUT
    )
    try:
        for process, assert_documents_once in FEEDING:
            run = queue(world, process)
            wait_for(run, mid_run, timeout=60, worker=worker)
            worker.kill()
            killed_at = time.monotonic()
            status, lines_at_kill = run_state(run)
            assert status == RunStatus.RUNNING and lines_at_kill < LINES  # killed mid-run

            worker = start_worker(
                private_broker.url, log, pool="prefork", visibility_timeout=VISIBILITY_TIMEOUT
            )
            wait_for(run, resumed_after(lines_at_kill), timeout=60, worker=worker)
            redelivered_in = time.monotonic() - killed_at
            wait_for(run, finished, timeout=90, worker=worker)

            print(f"{process}: killed at {lines_at_kill}, on {redelivered_in:.1f} s later")
            # The visibility timeout, not kombu's hour, brought the run back.
            assert redelivered_in < VISIBILITY_TIMEOUT + 30
            assert_finished_once(run, assert_documents_once)
    finally:
        worker.stop()


def test_a_pool_child_killed_mid_run_gives_the_run_back_and_a_new_child_finishes_it(
    world, private_broker, tmp_path
):
    bulk_book_orders(world, count=LINES)
    # The default visibility timeout (300 s): only the rejection can bring a run back soon.
    worker = start_worker(private_broker.url, tmp_path / "worker.log", pool="prefork")
    try:
        for process, assert_documents_once in FEEDING:
            run = queue(world, process)
            wait_for(run, mid_run, timeout=60, worker=worker)
            [child] = worker.pool_children()
            os.kill(child, signal.SIGKILL)
            killed_at = time.monotonic()
            lines_at_kill = run_state(run)[1]
            wait_for(run, resumed_after(lines_at_kill), timeout=60, worker=worker)
            redelivered_in = time.monotonic() - killed_at
            wait_for(run, finished, timeout=90, worker=worker)

            print(f"{process}: child killed at {lines_at_kill}, on {redelivered_in:.1f} s later")
            assert lines_at_kill < LINES
            assert worker.process.poll() is None  # the same worker, with a new child
            assert redelivered_in < 30
            assert_finished_once(run, assert_documents_once)
        assert worker.output().count("WorkerLostError") >= len(FEEDING)
    finally:
        worker.stop()
