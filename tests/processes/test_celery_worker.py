"""Acceptance: a real Celery worker on the machine's Redis (not eager mode) executes a
queued Generate Supply Orders run."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from b2b_portal.celery import app as celery_app
from orchestration.demo import bulk_book_orders
from processes.models import ProcessRun, RunStatus
from processes.services import process_run_queue
from procurement.models import RequisitionLine
from procurement.services import orders_progress

PROJECT_ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_queue(tmp_path):
    """A queue of this test's own on the real broker, emptied before use."""
    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL is not set: the worker test needs the real Redis broker.")
    queue = f"test-worker-{os.getpid()}"
    redis.Redis.from_url(settings.REDIS_URL).delete(queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    yield queue
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE


def start_worker(queue: str, log: Path) -> subprocess.Popen:
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "b2b_portal.settings.test",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
            f"/{database['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "b2b_portal",
        "worker",
        "--pool=solo",
        "-Q",
        queue,
        "--without-mingle",
        "--without-gossip",
        "-l",
        "info",
    ]
    return subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def watch(run: ProcessRun, timeout: float) -> list[str]:
    """Every status the run shows, polled until it finishes."""
    seen = [run.status]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = ProcessRun.objects.values_list("status", flat=True).get(pk=run.pk)
        if status != seen[-1]:
            seen.append(status)
        if status in (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.COMPLETED_WITH_FAILURES):
            return seen
        time.sleep(0.01)
    return seen


def test_a_worker_on_redis_runs_generate_supply_orders(world, worker_queue, tmp_path):
    bulk_book_orders(world, count=150)
    orders_progress(actor=world.users["manager"])
    run = process_run_queue(
        process="generate_supply_orders",
        parameters={"batch_size": 1, "business_unit": world.units["US1"].pk},
        requested_by=world.users["ops"],
    )
    assert run.status == RunStatus.QUEUED
    assert RequisitionLine.objects.count() == 0

    log = tmp_path / "worker.log"
    worker = start_worker(worker_queue, log)
    try:
        seen = watch(run, timeout=90)
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    assert seen == [RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.SUCCEEDED], log.read_text()
    run.refresh_from_db()
    assert (run.lines_total, run.lines_done, run.documents_made) == (150, 150, 150)
    assert RequisitionLine.objects.count() == 150
    assert RequisitionLine.objects.first().history.first().history_user == world.users["ops"]
