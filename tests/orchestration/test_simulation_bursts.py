"""The simulated clerk books in bursts: the bookings of a burst share one queued Progress
Order run, which starts once the burst is booked, as a worker behind a quick clerk does;
eager mode comes back afterwards."""

import random

import pytest

from b2b_portal.celery import app as celery_app
from orchestration.simulation import book_orders, broker_held, simulate_cycle
from orders.models import LineStatus, SalesOrder, SalesOrderLine
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


def test_a_feed_sends_each_burst_as_one_import_of_the_same_orders(world):
    """``intake="import"``: the orders the clerk would enter with the same seed, each burst
    one Order Import, each import one Progress Order run."""
    book_orders(world, 5, random.Random(1), book=False, burst=2)
    entered = _orders_as_entered()
    lines = book_orders(world, 5, random.Random(1), book=True, burst=2, intake="import")

    imported = SalesOrderLine.objects.exclude(status=LineStatus.ENTERED)
    assert lines == imported.count() == len([line for order in entered for line in order[0]])
    assert _orders_as_entered()[len(entered) :] == entered
    runs = ProcessRun.objects.filter(process="progress_order")
    assert runs.count() == 3
    assert sum(runs.values_list("lines_done", flat=True)) == lines
    assert imported.filter(status=LineStatus.AWAITING_SUPPLY).count() == lines
    reasons = SalesOrderLine.history.filter(history_type="+", id__in=imported.values("pk"))
    assert set(reasons.values_list("history_change_reason", flat=True)) == {
        "order imported and booked"
    }


def _orders_as_entered() -> list:
    return [
        (
            list(order.lines.order_by("line_number").values_list("item_id", "quantity")),
            order.customer_id,
        )
        for order in SalesOrder.objects.order_by("pk")
    ]


def test_the_import_cycle_closes_every_line_and_says_its_intake(world):
    summary = simulate_cycle(orders=3, burst=2, intake="import")

    lines = summary["documents"]["sales_order_lines"]
    assert summary["intake"] == "import" and lines > 0
    assert summary["lines_by_status"] == {LineStatus.CLOSED: lines}
    assert summary["documents"]["ar_invoices"] == 3
    assert summary["seconds"] == pytest.approx(
        sum(step["seconds"] for step in summary["steps"].values()), abs=0.01
    )
