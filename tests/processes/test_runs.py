"""Scheduled-process runs: the log, exactly-once under concurrency and after a crash,
failed lines that do not stop a run, and booking that queues Progress Order."""

import threading

import pytest
from django.db import connection

from b2b_portal.errors import ValidationRefused
from orchestration.demo import bulk_book_orders
from orders.exceptions import ItemNotBookable
from orders.models import LineStatus
from processes.models import ProcessRun, RunStatus, Trigger
from processes.services import RunProgress, process_run_execute, process_run_queue
from procurement.models import RequisitionLine, SourcingRule, SupplyOrder, SupplyStatus
from procurement.services import orders_progress, supply_orders_generate
from tests.helpers import place_order


def open_supply_orders(world, count):
    bulk_book_orders(world, count=count)
    orders_progress(actor=world.users["manager"])
    assert SupplyOrder.objects.filter(status=SupplyStatus.OPEN).count() == count


def new_run(process="generate_supply_orders", **parameters):
    # A bare row: the tests execute it themselves instead of through a worker.
    return ProcessRun.objects.create(process=process, parameters=parameters)


def assert_each_supply_order_requisitioned_once(count):
    assert RequisitionLine.objects.count() == count
    assert RequisitionLine.objects.values("supply_order").distinct().count() == count
    assert not SupplyOrder.objects.exclude(status=SupplyStatus.REQUISITIONED).exists()
    assert not RequisitionLine.objects.filter(requisition__lines__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_requisition_each_supply_order_exactly_once(world):
    open_supply_orders(world, 500)
    runs = [new_run(batch_size=25), new_run(batch_size=25)]
    start = threading.Barrier(len(runs))

    def execute(run):
        start.wait()
        try:
            process_run_execute(run_id=run.pk, service=supply_orders_generate)
        finally:
            connection.close()

    threads = [threading.Thread(target=execute, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert_each_supply_order_requisitioned_once(500)
    for run in runs:
        run.refresh_from_db()
        assert run.status == RunStatus.SUCCEEDED
        assert run.lines_total == 500
    assert sum(run.lines_done for run in runs) == 500
    assert all(run.lines_done > 0 for run in runs)  # both runs took a share
    assert sum(run.documents_made for run in runs) == 500


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_after_its_first_chunk_is_finished_by_the_next_run(world, monkeypatch):
    open_supply_orders(world, 120)
    chunk_done = RunProgress.chunk_done

    def crash_in_second_chunk(self, chunk, last_pk):
        if self.chunks_seen:
            raise RuntimeError("worker killed")
        self.chunks_seen = 1
        chunk_done(self, chunk, last_pk)

    monkeypatch.setattr(RunProgress, "chunks_seen", 0, raising=False)
    monkeypatch.setattr(RunProgress, "chunk_done", crash_in_second_chunk)
    killed = process_run_execute(run_id=new_run(batch_size=50).pk, service=supply_orders_generate)
    assert (killed.status, killed.lines_done) == (RunStatus.FAILED, 50)
    assert "worker killed" in killed.error
    assert RequisitionLine.objects.count() == 50  # the first chunk stands whole

    monkeypatch.setattr(RunProgress, "chunk_done", chunk_done)
    rerun = process_run_execute(run_id=new_run(batch_size=50).pk, service=supply_orders_generate)
    assert (rerun.status, rerun.lines_done) == (RunStatus.SUCCEEDED, 70)
    assert_each_supply_order_requisitioned_once(120)


@pytest.mark.django_db
def test_a_line_without_sourcing_rule_fails_alone_and_the_run_finishes(world):
    SourcingRule.objects.filter(item__number="SRV-R760-XA").delete()
    order = place_order(world, ("SRV-DL380-G11", "1"), ("SRV-R760-XA", "1"), ("STO-A400-96T", "1"))
    orders_progress(actor=world.users["manager"], sales_order=order)

    run = process_run_execute(run_id=new_run().pk, service=supply_orders_generate)

    assert run.status == RunStatus.COMPLETED_WITH_FAILURES
    assert (run.lines_total, run.lines_done, run.documents_made, run.lines_failed) == (3, 2, 2, 1)
    [failure] = run.failures.all()
    assert "No sourcing rule for item SRV-R760-XA" in failure.reason
    assert RequisitionLine.objects.count() == 2


@pytest.mark.django_db
def test_run_parameters_narrow_the_work(world):
    place_order(world, ("SRV-DL380-G11", "1"))
    other = place_order(world, ("STO-A400-96T", "1"))
    run = process_run_execute(
        run_id=new_run("progress_order", sales_order=other.pk).pk, service=orders_progress
    )
    assert (run.status, run.lines_done) == (RunStatus.SUCCEEDED, 1)
    assert SupplyOrder.objects.get().sales_order_line.order == other


@pytest.mark.django_db
def test_booking_queues_progress_order_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        order = place_order(world, ("SRV-DL380-G11", "2"))
    run = ProcessRun.objects.get()
    # Nothing runs before the booking commits.
    assert (run.status, order.lines.get().status) == (RunStatus.QUEUED, LineStatus.BOOKED)
    for callback in callbacks:  # the commit
        callback()
    run.refresh_from_db()
    assert (run.process, run.trigger, run.requested_by) == (
        "progress_order",
        Trigger.EVENT,
        world.users["clerk"],
    )
    assert run.parameters == {"business_unit": order.business_unit_id}  # the unit's booked lines
    assert run.status == RunStatus.SUCCEEDED  # eager in tests: the callback ran it
    assert order.lines.get().status == LineStatus.AWAITING_SUPPLY


@pytest.mark.django_db
def test_a_refused_booking_queues_nothing(world, django_capture_on_commit_callbacks):
    item = world.items["SRV-DL380-G11"]
    item.purchasable = False
    item.save()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ItemNotBookable):
        place_order(world, ("SRV-DL380-G11", "1"))
    assert callbacks == []
    assert not ProcessRun.objects.exists()


@pytest.mark.django_db
def test_queueing_an_unknown_process_is_refused():
    with pytest.raises(ValidationRefused, match="no process called"):
        process_run_queue(process="nonsense")
    assert not ProcessRun.objects.exists()


def test_a_redelivered_run_keeps_the_time_it_first_started(world):
    run = new_run(process="progress_order")
    process_run_execute(run_id=run.pk, service=orders_progress)
    first = ProcessRun.objects.get(pk=run.pk)
    # As a killed worker leaves it: Running, then started again by the redelivered task.
    ProcessRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, finished_at=None)
    process_run_execute(run_id=run.pk, service=orders_progress)
    again = ProcessRun.objects.get(pk=run.pk)
    assert again.status == RunStatus.SUCCEEDED
    assert again.started_at == first.started_at
