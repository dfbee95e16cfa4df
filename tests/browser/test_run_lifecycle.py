"""A stalled run as operations meet it: waiting on them on the home page, its page with
Retry and Cancel and its timeline (queued, started, a chunk, stalled), Retry finishing it,
and Cancel with a reason from the home page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orchestration.demo import bulk_book_orders
from processes import services
from processes.models import ProcessRun, RunStatus
from processes.services import (
    RunProgress,
    process_run_execute,
    process_run_queue,
    process_runs_watch,
)
from procurement.models import RequisitionLine
from procurement.services import orders_progress, supply_orders_generate
from tests.browser.conftest import assert_page_reads_well, login, shot


class WorkerKilled(BaseException):
    """A SIGKILL from inside: no handler runs, the chunk in flight rolls back."""


def stalled_runs(world, monkeypatch):
    """Two Generate runs stalled: one killed after its first chunk of 10 (Running, silent),
    one no worker ever took (Queued, silent)."""
    bulk_book_orders(world, count=30)
    orders_progress(actor=world.users["manager"])
    ProcessRun.objects.all().delete()
    monkeypatch.setattr(services, "process_run_dispatch", lambda run: False)  # no worker
    killed, never_started = [
        process_run_queue(
            process="generate_supply_orders",
            parameters={"business_unit": world.units["US1"].pk, "batch_size": 10},
            requested_by=world.users["ops"],
        )
        for _ in range(2)
    ]
    chunk_done = RunProgress.chunk_done

    def killed_in_second_chunk(self, chunk, last_pk):
        if RequisitionLine.objects.count() > 10:
            raise WorkerKilled
        chunk_done(self, chunk, last_pk)

    monkeypatch.setattr(RunProgress, "chunk_done", killed_in_second_chunk)
    with pytest.raises(WorkerKilled):
        process_run_execute(run_id=killed.pk, service=supply_orders_generate)
    monkeypatch.undo()
    ProcessRun.objects.update(heartbeat_at=timezone.now() - timedelta(minutes=20))
    assert process_runs_watch() == [killed, never_started]
    return killed, never_started


def test_operations_retry_a_stalled_run_and_cancel_another(page, live_server, world, monkeypatch):
    killed, never_started = stalled_runs(world, monkeypatch)
    login(page, live_server, "ops")

    waiting = page.get_by_test_id("run-waiting")
    expect(waiting).to_have_count(2)
    expect(page.get_by_test_id("runs-waiting-count")).to_have_text("2")
    assert_page_reads_well(page, "home-runs-waiting")
    shot(page, "run-lifecycle-home-stalled")

    waiting.first.get_by_role("link", name=str(killed)).click()
    expect(page.get_by_test_id("run-status")).to_have_text("Stalled")
    expect(
        page.get_by_text("Stalled: no progress within the Generate Supply Orders limit")
    ).to_be_visible()
    timeline = page.get_by_test_id("run-timeline")
    events = timeline.locator("tbody tr td:nth-child(2)")
    expect(events).to_have_text(["Queued", "Started", "Chunk committed", "Stalled"])
    expect(timeline.locator("tbody tr").nth(2)).to_contain_text("10")
    assert_page_reads_well(page, "run-stalled")
    shot(page, "run-lifecycle-stalled-run")

    page.get_by_role("button", name="Retry").click()
    # Tasks are eager in tests: the retry has run by the time its page shows.
    page.wait_for_url(re.compile(r"/processes/runs/\d+/$"))
    expect(page.get_by_test_id("run-status")).to_have_text("Succeeded")
    expect(page.get_by_test_id("run-actions")).to_contain_text(f"Retry of {killed}.")
    retry = ProcessRun.objects.get(retry_of=killed)
    assert (retry.status, retry.lines_total, retry.lines_done) == (RunStatus.SUCCEEDED, 20, 20)
    assert RequisitionLine.objects.count() == 30
    shot(page, "run-lifecycle-retry-succeeded")

    page.goto("/")
    expect(waiting).to_have_count(1)
    waiting.first.get_by_label(f"Why cancel {never_started}").fill("Queued twice by mistake")
    waiting.first.get_by_role("button", name="Cancel run").click()
    expect(page.get_by_role("alert").filter(has_text="is cancelled")).to_be_visible()
    expect(page.get_by_test_id("runs-waiting-count")).to_have_text("0")
    never_started.refresh_from_db()
    assert (never_started.status, never_started.cancel_reason) == (
        RunStatus.CANCELLED,
        "Queued twice by mistake",
    )
    shot(page, "run-lifecycle-home-after")
