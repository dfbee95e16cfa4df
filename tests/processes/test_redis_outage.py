"""Redis stopped and started again (issue 11, item 3; acceptance 3): booking an order
while the broker is down succeeds and says its processing waits for the background
service; when Redis is back the relay sends the run and a worker finishes it."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from b2b_portal.celery import app as celery_app
from orders.models import LineStatus, SalesOrder
from processes.middleware import RUN_WAITS_FOR_BROKER
from processes.models import ProcessRun, RunStatus
from tests.helpers import messages_of
from tests.processes.real_workers import finished, start_worker, wait_for
from tests.web.orders.support import order_post

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_booking_with_redis_stopped_succeeds_and_its_run_finishes_when_redis_is_back(
    client, world, private_broker, tmp_path
):
    private_broker.stop()
    client.force_login(world.users["clerk"])
    began = time.monotonic()
    response = client.post(
        reverse("orders:create"), order_post(world, [("SRV-DL380-G11", "2", "")], action="submit")
    )
    booking_took = time.monotonic() - began

    assert response.status_code == 302
    assert RUN_WAITS_FOR_BROKER.format(process="Progress Order") in messages_of(response)
    order = SalesOrder.objects.get()
    assert {line.status for line in order.lines.all()} == {LineStatus.BOOKED}
    run = ProcessRun.objects.get()
    assert (run.process, run.status, run.dispatched_at) == (
        "progress_order",
        RunStatus.QUEUED,
        None,
    )
    # Nothing to relay while Redis is down (the run is old enough: the relay waits 30 s).
    ProcessRun.objects.filter(pk=run.pk).update(queued_at=timezone.now() - timedelta(minutes=1))
    assert celery_app.tasks["processes.dispatch_pending_runs"].apply().get() == 0

    private_broker.start()
    assert celery_app.tasks["processes.dispatch_pending_runs"].apply().get() == 1
    worker = start_worker(private_broker.url, tmp_path / "worker.log")
    try:
        wait_for(run, finished, timeout=60, worker=worker)
    finally:
        worker.stop()

    print(f"booking with Redis stopped took {booking_took:.1f} s")
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.dispatched_at is not None
    assert (run.lines_done, run.documents_made) == (1, 1)
    assert {line.status for line in order.lines.all()} == {LineStatus.AWAITING_SUPPLY}
