"""The background machinery's health: a page for operations and JSON for monitoring (a
bearer token from the environment, or an operator signed in). Each check says what it
found; an unreachable broker is a check marked down, never a server error."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from b2b_portal.celery import app as celery_app
from processes.health import BEAT_SILENT_AFTER, RELAY_TASK, machinery_health
from processes.models import ProcessRun, RunStatus
from processes.views import HEALTH_TOKEN_REFUSED
from tests.processes.support import ensure_default_schedules

pytestmark = pytest.mark.django_db

PAGE = reverse("processes:health")
JSON = reverse("processes:health_json")
UNREACHABLE = "redis://127.0.0.1:1/0"
TOKEN = "health-token-for-the-test-0123456789"
OTHER_ROLES = ["clerk", "manager", "buyer", "receiver", "shipper", "ap", "ar"]


@pytest.fixture(autouse=True)
def default_schedules(db):
    ensure_default_schedules()


@pytest.fixture
def ops(client, users):
    client.force_login(users["ops"])
    return client


@pytest.fixture
def broker_down(monkeypatch):
    """Celery configured for a real broker that does not answer (nothing listens on port 1)."""
    monkeypatch.setitem(celery_app.conf, "broker_url", UNREACHABLE)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)


def queued(minutes_ago: int, status=RunStatus.QUEUED) -> ProcessRun:
    run = ProcessRun.objects.create(process="progress_order")
    ProcessRun.objects.filter(pk=run.pk).update(
        status=status, queued_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return run


def test_operations_see_every_check_on_the_page(ops):
    page = ops.get(PAGE)

    assert page.status_code == 200
    health = page.context["health"]
    assert list(health["checks"]) == [
        "broker",
        "workers",
        "beat",
        "queue_length",
        "oldest_queued_run",
        "stalled_runs",
        "failed_runs",
    ]
    # The tests' set-up: a reachable Redis, tasks run eagerly (no worker, no beat).
    assert health["checks"]["broker"]["ok"] is True
    assert health["checks"]["workers"]["ok"] is None
    assert health["checks"]["queue_length"]["value"] == 0
    assert health["ok"] is True
    content = page.content.decode()
    assert "Broker (Redis)" in content and "Reachable." in content


def test_the_json_answers_an_operator_signed_in(ops):
    response = ops.get(JSON)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    report = response.json()
    assert report["ok"] is True
    assert report["checks"]["oldest_queued_run"]["detail"] == "No run is waiting."


def test_an_unreachable_broker_is_shown_down_not_a_server_error(ops, broker_down):
    started = time.monotonic()

    page = ops.get(PAGE)
    response = ops.get(JSON)

    assert time.monotonic() - started < 10  # one-second timeouts, no retry loop
    assert page.status_code == 200
    assert "Down" in page.content.decode()
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"]["ok"] is False
    assert checks["broker"]["detail"].startswith("Unreachable: ")
    assert checks["workers"] == {
        "label": "Workers",
        "name": "workers",
        "ok": False,
        "detail": "Unknown: the broker does not answer.",
        "value": None,
    }
    assert checks["queue_length"]["ok"] is False
    assert response.json()["ok"] is False


def test_no_worker_answering_and_a_silent_beat_are_down(world):
    relay = PeriodicTask.objects.get(task=RELAY_TASK)
    PeriodicTask.objects.filter(pk=relay.pk).update(last_run_at=timezone.now())

    fresh = machinery_health(broker_url=settings.CELERY_BROKER_URL, eager=False)

    assert fresh["checks"]["beat"]["ok"] is True
    # No worker listens on this test's Redis database.
    assert fresh["checks"]["workers"]["ok"] is False
    assert fresh["checks"]["workers"]["detail"] == "No worker answered within a second."

    silent = timezone.now() - BEAT_SILENT_AFTER - timedelta(seconds=5)
    PeriodicTask.objects.filter(pk=relay.pk).update(last_run_at=silent)
    stale = machinery_health(broker_url=settings.CELERY_BROKER_URL, eager=False)
    assert stale["checks"]["beat"]["ok"] is False
    assert stale["ok"] is False


def test_the_oldest_queued_run_and_the_days_stalled_and_failed_runs(world):
    queued(25)
    queued(2)
    queued(60, RunStatus.STALLED)
    queued(30, RunStatus.FAILED)
    queued(60 * 30, RunStatus.FAILED)  # more than a day ago: not counted

    checks = machinery_health()["checks"]

    assert checks["oldest_queued_run"]["ok"] is False
    assert 25 * 60 <= checks["oldest_queued_run"]["value"] < 26 * 60
    assert (checks["stalled_runs"]["value"], checks["stalled_runs"]["ok"]) == (1, False)
    # Failed runs are counted for monitoring but do not make the machinery unhealthy.
    assert checks["failed_runs"]["value"] == 1


def test_a_monitor_reads_the_json_with_the_token(client, settings):
    settings.HEALTH_TOKEN = TOKEN

    good = client.get(JSON, headers={"Authorization": f"Bearer {TOKEN}"})
    wrong = client.get(JSON, headers={"Authorization": "Bearer guessed"})
    none = client.get(JSON)

    assert good.status_code == 200 and good.json()["checks"]["broker"]["ok"] is True
    assert wrong.status_code == 401 and wrong.json() == {"error": HEALTH_TOKEN_REFUSED}
    assert none.status_code == 302 and none["Location"].startswith(reverse("login"))


def test_no_token_is_accepted_while_none_is_configured(client, settings):
    settings.HEALTH_TOKEN = ""
    response = client.get(JSON, headers={"Authorization": "Bearer "})
    assert response.status_code == 401


@pytest.mark.parametrize("username", OTHER_ROLES)
def test_other_roles_are_refused_the_page_and_the_json(client, users, username):
    client.force_login(users[username])
    assert client.get(PAGE).status_code == 403
    assert client.get(JSON).status_code == 403


def test_the_menu_offers_the_page_to_operations_only(client, users):
    client.force_login(users["ops"])
    assert "Background Health" in client.get(reverse("home")).content.decode()
    client.force_login(users["ar"])
    assert "Background Health" not in client.get(reverse("home")).content.decode()
