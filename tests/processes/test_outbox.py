"""No run is lost between the database and the broker (issue 11, item 3): a run is a row
first; when the broker cannot take its task the caller still succeeds, the run waits in the
outbox (``dispatched_at`` empty), and the relay sends it once the broker answers."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from b2b_portal.celery import app as celery_app
from orders.models import LineStatus, SalesOrder
from processes.models import ProcessRun, RunStatus
from processes.services import process_runs_dispatch_pending
from tests.web.orders.support import order_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    """Every task send fails as it does when Redis is unreachable."""
    task = celery_app.tasks["procurement.progress_order"]

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(task, "apply_async", refuse)
    return monkeypatch


def age(run, seconds=60):
    ProcessRun.objects.filter(pk=run.pk).update(
        queued_at=timezone.now() - timedelta(seconds=seconds)
    )


def test_booking_with_the_broker_down_succeeds_and_its_run_waits(
    client, world, broker_down, django_capture_on_commit_callbacks
):
    client.force_login(world.users["clerk"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("orders:create"),
            order_post(world, [("SRV-DL380-G11", "2", "")], action="submit"),
        )

    assert response.status_code == 302
    order = SalesOrder.objects.get()
    assert {line.status for line in order.lines.all()} == {LineStatus.BOOKED}
    run = ProcessRun.objects.get()
    assert (run.process, run.status, run.dispatched_at) == (
        "progress_order",
        RunStatus.QUEUED,
        None,
    )

    # The broker is back: the relay sends the run, which then finishes (tasks are eager).
    broker_down.undo()
    age(run)
    assert process_runs_dispatch_pending() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.dispatched_at is not None
    assert {line.status for line in order.lines.all()} == {LineStatus.AWAITING_SUPPLY}
    assert process_runs_dispatch_pending() == 0  # sent once


def test_the_relay_leaves_young_sent_and_started_runs_alone(world, broker_down):
    from processes.services import process_run_queue

    young = process_run_queue(
        process="progress_order", parameters={"business_unit": world.units["US1"].pk}
    )
    # On commit never ran here (the test's transaction): the run is in the outbox.
    assert process_runs_dispatch_pending() == 0  # too young: its own send may be on the way
    age(young)
    assert process_runs_dispatch_pending() == 0  # the broker is still down
    assert ProcessRun.objects.get(pk=young.pk).dispatched_at is None
    sent = ProcessRun.objects.create(
        process="progress_order", dispatched_at=timezone.now() - timedelta(minutes=5)
    )
    age(sent)
    broker_down.undo()
    assert process_runs_dispatch_pending() == 1  # the young one, now old; not the sent one
    assert ProcessRun.objects.get(pk=sent.pk).status == RunStatus.QUEUED


def test_a_once_only_form_with_the_cache_down_is_refused_with_a_message(client, world, monkeypatch):
    """The once-only check lives in Redis: without it the clerk is told, nothing is made."""
    from django.core.cache import cache
    from redis.exceptions import ConnectionError as RedisDown

    from b2b_portal.web import SUBMISSION_CHECK_UNAVAILABLE

    def down(*args, **kwargs):
        raise RedisDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(cache, "add", down)
    client.force_login(world.users["clerk"])
    response = client.post(
        reverse("orders:create"), order_post(world, [("SRV-DL380-G11", "2", "")], action="submit")
    )
    assert response.status_code == 200
    assert SUBMISSION_CHECK_UNAVAILABLE in response.context["form"].non_field_errors()
    assert not SalesOrder.objects.exists()
