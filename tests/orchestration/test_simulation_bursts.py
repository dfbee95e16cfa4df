"""The simulated clerk books in bursts: the bookings of a burst share one queued Progress
Order run, which starts once the burst is booked, as a worker behind a quick clerk does;
eager mode comes back afterwards."""

import random

import pytest

from b2b_portal.celery import app as celery_app
from orchestration.simulation import book_orders, broker_held, simulate_cycle
from orders.models import LineStatus, SalesOrderLine
from processes.models import ProcessRun, RunStatus, Trigger
from tests.helpers import place_order

# Real commits: a booking queues its run on commit (processes.services).
pytestmark = pytest.mark.django_db(transaction=True)


def test_five_orders_in_bursts_of_two_make_three_progress_order_runs(world):
    lines = book_orders(world, 5, random.Random(1), book=True, burst=2)

    runs = ProcessRun.objects.filter(process="progress_order")
    assert set(runs.values_list("trigger", "status")) == {(Trigger.EVENT, RunStatus.SUCCEEDED)}
    assert runs.count() == 3
    assert sum(runs.values_list("lines_done", flat=True)) == lines
    assert SalesOrderLine.objects.filter(status=LineStatus.AWAITING_SUPPLY).count() == lines
    assert celery_app.conf.task_always_eager is True


def test_a_run_queued_in_a_burst_waits_for_its_end(world):
    with broker_held():
        place_order(world, ("SRV-DL380-G11", 1))
        place_order(world, ("SRV-DL380-G11", 1))
        [run] = ProcessRun.objects.filter(process="progress_order")
        assert (run.status, run.dispatched_at is not None) == (RunStatus.QUEUED, True)
        assert SalesOrderLine.objects.filter(status=LineStatus.BOOKED).count() == 2

    run.refresh_from_db()
    assert (run.status, run.lines_done) == (RunStatus.SUCCEEDED, 2)
    assert SalesOrderLine.objects.filter(status=LineStatus.AWAITING_SUPPLY).count() == 2


def test_the_summary_gives_each_step_its_lines_and_statements_per_line(world):
    summary = simulate_cycle(orders=3, burst=2)

    lines = summary["documents"]["sales_order_lines"]
    assert summary["lines_by_status"] == {LineStatus.CLOSED: lines}
    steps = summary["steps"]
    assert list(steps) == ["booked", "requisitioned", "ordered", "received", "shipped", "closed"]
    assert {step["lines"] for step in steps.values()} == {lines}
    assert all(step["statements_per_line"] > 0 for step in steps.values())
    assert ProcessRun.objects.filter(process="progress_order", trigger=Trigger.EVENT).count() == 2
