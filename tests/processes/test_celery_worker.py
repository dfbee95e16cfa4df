"""Acceptance: a real Celery worker (not eager mode) executes a queued Generate Supply
Orders run."""

import pytest

from orchestration.demo import bulk_book_orders
from processes.models import ProcessRun, RunStatus
from processes.services import process_run_queue
from procurement.models import RequisitionLine
from procurement.services import orders_progress
from tests.processes.real_workers import finished, start_worker, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_runs_generate_supply_orders(world, private_broker, tmp_path):
    bulk_book_orders(world, count=150)
    orders_progress(actor=world.users["manager"])
    run = process_run_queue(
        process="generate_supply_orders",
        parameters={"batch_size": 1, "business_unit": world.units["US1"].pk},
        requested_by=world.users["ops"],
    )
    assert run.status == RunStatus.QUEUED
    assert RequisitionLine.objects.count() == 0

    seen = [run.status]

    def record(status, lines_done):
        if status != seen[-1]:
            seen.append(status)
        return finished(status, lines_done)

    worker = start_worker(private_broker.url, tmp_path / "worker.log")
    try:
        wait_for(run, record, timeout=90, worker=worker)
    finally:
        worker.stop()

    assert seen == [RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.SUCCEEDED], worker.output()
    run = ProcessRun.objects.get(pk=run.pk)
    assert (run.lines_total, run.lines_done, run.documents_made) == (150, 150, 150)
    assert RequisitionLine.objects.count() == 150
    assert RequisitionLine.objects.first().history.first().history_user == run.requested_by
