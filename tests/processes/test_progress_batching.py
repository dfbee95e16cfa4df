"""Bookings close together share one Progress Order run per business unit (issue 13): a
booking joins the unit's event run still Queued, and that run, once started, takes every
booked line of the unit, each exactly once."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from b2b_portal.transitions import apply_transition
from orders.models import LineStatus, SalesOrderLine
from orders.services import OrderLineInput, sales_order_book, sales_order_create
from processes.locks import process_run_lock
from processes.models import ProcessRun, RunStatus, Trigger
from processes.services import process_run_execute
from procurement.models import SupplyOrder
from procurement.services import orders_progress
from tests.helpers import place_order, unit_user

SERVER = ("SRV-DL380-G11", "1")


def _assert_each_line_awaits_supply_once(line_count: int) -> None:
    lines = SalesOrderLine.objects.all()
    assert lines.count() == line_count
    assert set(lines.values_list("status", flat=True)) == {LineStatus.AWAITING_SUPPLY}
    per_line = SupplyOrder.objects.values("sales_order_line").annotate(n=Count("pk"))
    assert sorted(row["n"] for row in per_line) == [1] * line_count
    moved = SalesOrderLine.history.filter(
        status=LineStatus.AWAITING_SUPPLY, history_change_reason="Progress Order"
    )
    assert moved.count() == line_count


def _execute(run: ProcessRun) -> ProcessRun:
    return process_run_execute(run_id=run.pk, service=orders_progress)


@pytest.mark.django_db
def test_fifty_bookings_in_a_row_queue_one_pending_run_per_unit_that_supplies_each_line_once(
    world,
):
    # Inside the test's transaction nothing is dispatched: as when no worker took a run yet.
    eu_clerk = unit_user(world, "eu_clerk", "Order Entry Clerk")
    for _ in range(30):
        place_order(world, SERVER, ("STO-A400-96T", "2"))
    for _ in range(20):
        order = sales_order_create(
            actor=eu_clerk,
            business_unit=world.units["EU1"],
            customer=world.customers["C-2001"],
            warehouse=world.warehouses["E1"],
            requested_date=timezone.localdate(),
            lines=[OrderLineInput(item=world.items["SRV-DL380-EU"], quantity=Decimal(1))],
        )
        sales_order_book(actor=eu_clerk, sales_order=order)

    runs = list(ProcessRun.objects.order_by("pk"))
    assert [(run.parameters, run.status, run.trigger, run.requested_by) for run in runs] == [
        ({"business_unit": world.units["US1"].pk}, RunStatus.QUEUED, Trigger.EVENT,
         world.users["clerk"]),
        ({"business_unit": world.units["EU1"].pk}, RunStatus.QUEUED, Trigger.EVENT, eu_clerk),
    ]  # fmt: skip

    us, eu = (_execute(run) for run in runs)
    assert (us.status, us.lines_total, us.lines_done, us.documents_made) == (
        RunStatus.SUCCEEDED, 60, 60, 60
    )  # fmt: skip
    assert (eu.status, eu.lines_done, eu.documents_made) == (RunStatus.SUCCEEDED, 20, 20)
    _assert_each_line_awaits_supply_once(80)
    # Delivered again, or followed by the schedule's run: nothing is done twice.
    assert _execute(us).documents_made == 60
    assert orders_progress(actor=world.users["ops"]).examined == 0
    _assert_each_line_awaits_supply_once(80)


@pytest.mark.django_db
def test_a_booking_after_the_pending_run_started_queues_a_new_one(world):
    place_order(world, SERVER)
    first = ProcessRun.objects.get()
    with transaction.atomic():  # a worker starts the run
        run = process_run_lock(first.pk)
        apply_transition(run, "start", actor=None, when=first.queued_at)
        run.save()
    place_order(world, SERVER, SERVER)
    second = ProcessRun.objects.exclude(pk=first.pk).get()
    assert (second.status, second.parameters) == (RunStatus.QUEUED, first.parameters)
    # The started run (resumed) takes both orders; the second finds nothing left.
    assert (_execute(first).lines_done, _execute(second).lines_done) == (3, 0)
    _assert_each_line_awaits_supply_once(3)


# --- Two callers at once (PostgreSQL, each thread on its own connection) ----------------


def _wait_until_a_session_waits_on_a_lock(timeout: float = 30) -> None:
    """Return once another session of this database waits on a row lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("no session waited on a lock")


class HeldOpen(threading.Thread):
    """``call`` in a transaction of its own connection, kept open until ``commit()``."""

    def __init__(self, call):
        super().__init__()
        self.call, self.done, self.go_on, self.errors = (
            call,
            threading.Event(),
            threading.Event(),
            [],
        )

    def run(self):
        try:
            with transaction.atomic():
                self.call()
                self.done.set()
                self.go_on.wait(timeout=30)
        except Exception as error:  # handed to the test
            self.errors.append(error)
        finally:
            self.done.set()
            connection.close()

    def commit(self):
        self.go_on.set()
        self.join(timeout=30)
        assert not self.is_alive() and not self.errors, self.errors


@pytest.fixture
def undispatched(monkeypatch):
    """The broker took each run's task and no worker has it yet: the test starts them."""
    monkeypatch.setattr("processes.services.process_run_dispatch", lambda run: False)


@pytest.mark.django_db(transaction=True)
def test_a_worker_starting_the_pending_run_waits_for_the_booking_that_joined_it(
    world, undispatched
):
    place_order(world, SERVER)
    pending = ProcessRun.objects.get()
    late = place_order(world, SERVER, SERVER, book=False)
    booking = HeldOpen(lambda: sales_order_book(actor=world.users["clerk"], sales_order=late))
    booking.start()
    assert booking.done.wait(timeout=30) and not booking.errors, booking.errors
    worker = HeldOpen(lambda: _execute(pending))
    worker.start()
    _wait_until_a_session_waits_on_a_lock()  # start waits for the booking's commit
    booking.commit()
    worker.commit()
    run = ProcessRun.objects.get()  # the booking joined the pending run: no second run
    assert (run.pk, run.status, run.lines_total, run.lines_done) == (
        pending.pk, RunStatus.SUCCEEDED, 3, 3
    )  # fmt: skip
    _assert_each_line_awaits_supply_once(3)


@pytest.mark.django_db(transaction=True)
def test_a_booking_meeting_the_run_as_it_starts_queues_its_own(world, undispatched):
    place_order(world, SERVER)
    first = ProcessRun.objects.get()
    late = place_order(world, SERVER, SERVER, book=False)

    def start():
        run = process_run_lock(first.pk)
        apply_transition(run, "start", actor=None, when=first.queued_at)
        run.save()

    starting = HeldOpen(start)
    starting.start()
    assert starting.done.wait(timeout=30) and not starting.errors, starting.errors
    booking = HeldOpen(lambda: sales_order_book(actor=world.users["clerk"], sales_order=late))
    booking.start()
    _wait_until_a_session_waits_on_a_lock()  # the booking waits on the run being started
    starting.commit()
    assert booking.done.wait(timeout=30)
    booking.commit()
    second = ProcessRun.objects.exclude(pk=first.pk).get()
    assert (second.status, second.parameters) == (RunStatus.QUEUED, first.parameters)
    assert _execute(first).lines_done + _execute(second).lines_done == 3
    _assert_each_line_awaits_supply_once(3)
