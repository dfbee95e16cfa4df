"""The health of the background machinery, for the operations page and for monitoring.

Each check answers within about a second whatever is down: the broker is pinged with a
one-second timeout, workers are asked only when the broker answers (Celery's inspect
ping, one second), and an unreachable broker is a check that says so, never an
exception. ``ok`` is None for a check that does not apply: with tasks run eagerly (no
broker, ``make run`` without Redis) there is no worker to ask and beat does not run.
"""

from dataclasses import asdict, dataclass
from datetime import timedelta

import redis
from django.db.models import Min
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from kombu.transport.redis import Channel

from b2b_portal.celery import app as celery_app

from .models import ProcessRun, RunStatus

TIMEOUT_SECONDS = 1.0
RELAY_TASK = "processes.dispatch_pending_runs"
# The relay ticks every minute, and beat's DatabaseScheduler writes last_run_at back at
# most every 3 minutes (celery.beat.Scheduler.sync_every): older than 5 minutes is silence.
BEAT_SILENT_AFTER = timedelta(minutes=5)
# The relay sends a waiting run after 30 s, a worker takes it at once: 10 minutes is stuck.
QUEUED_TOO_LONG = timedelta(minutes=10)
RECENT = timedelta(days=1)
# Failed runs are counted, not judged: a run fails on its data as well as on the machinery,
# so a monitor decides what number alarms it. Every other check decides ``ok``.
INFORMATIVE = {"failed_runs"}


LABELS = {
    "broker": "Broker (Redis)",
    "workers": "Workers",
    "beat": "Beat (schedules)",
    "queue_length": "Queue length",
    "oldest_queued_run": "Oldest queued run",
    "stalled_runs": "Stalled runs, last day",
    "failed_runs": "Failed runs, last day",
}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None  # None: does not apply in this set-up
    detail: str
    value: int | float | str | None = None

    @property
    def label(self) -> str:
        return LABELS[self.name]


def _broker_client(broker_url: str) -> redis.Redis:
    return redis.Redis.from_url(
        broker_url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
    )


def _broker(broker_url: str, queue: str) -> tuple[Check, Check]:
    """Broker reachable, and the messages waiting in the queue (every priority's list)."""
    if not broker_url.startswith(("redis://", "rediss://")):
        not_used = f"Not used: tasks run in the web process ({broker_url.split(':')[0]})."
        return Check("broker", None, not_used), Check("queue_length", None, not_used)
    try:
        client = _broker_client(broker_url)
        client.ping()
        steps = Channel.priority_steps
        keys = [queue] + [f"{queue}{Channel.sep}{step}" for step in steps if step]
        pipeline = client.pipeline()
        for key in keys:
            pipeline.llen(key)
        waiting = sum(pipeline.execute())
    except redis.RedisError as error:
        down = f"Unreachable: {type(error).__name__}: {error}"
        return (
            Check("broker", False, down),
            Check("queue_length", False, "Unknown: the broker does not answer."),
        )
    return (
        Check("broker", True, "Reachable."),
        Check("queue_length", True, f"{waiting} waiting in queue {queue}.", waiting),
    )


def _workers(broker_ok: bool | None, eager: bool) -> Check:
    if eager or broker_ok is None:
        return Check("workers", None, "Not used: tasks run in the web process.")
    if not broker_ok:
        return Check("workers", False, "Unknown: the broker does not answer.")
    replies = celery_app.control.inspect(timeout=TIMEOUT_SECONDS).ping() or {}
    if not replies:
        return Check("workers", False, "No worker answered within a second.", 0)
    names = ", ".join(sorted(replies))
    return Check("workers", True, f"{len(replies)} answered: {names}.", len(replies))


def _beat(now, eager: bool) -> Check:
    if eager:
        return Check(
            "beat", None, "Not used: tasks run in the web process; nothing runs on a schedule."
        )
    relay = PeriodicTask.objects.filter(task=RELAY_TASK).first()
    tick = relay.last_run_at if relay else None
    if tick is None:
        return Check("beat", False, "No tick recorded: is beat running?")
    age = (now - tick).total_seconds()
    detail = f"Last tick {timezone.localtime(tick):%Y-%m-%d %H:%M:%S} ({int(age)} s ago)."
    return Check("beat", now - tick <= BEAT_SILENT_AFTER, detail, tick.isoformat())


def _runs(now) -> list[Check]:
    oldest = ProcessRun.objects.filter(status=RunStatus.QUEUED).aggregate(Min("queued_at"))
    queued_at = oldest["queued_at__min"]
    if queued_at is None:
        waiting = Check("oldest_queued_run", True, "No run is waiting.", 0)
    else:
        age = now - queued_at
        seconds = int(age.total_seconds())
        detail = f"Waiting {seconds} s (since {timezone.localtime(queued_at):%H:%M:%S})."
        waiting = Check("oldest_queued_run", age <= QUEUED_TOO_LONG, detail, seconds)
    recent = ProcessRun.objects.filter(queued_at__gte=now - RECENT)
    stalled = recent.filter(status=RunStatus.STALLED).count()
    failed = recent.filter(status=RunStatus.FAILED).count()
    return [
        waiting,
        Check("stalled_runs", stalled == 0, f"{stalled} stalled in the last day.", stalled),
        Check("failed_runs", failed == 0, f"{failed} failed in the last day.", failed),
    ]


def machinery_health(*, broker_url: str | None = None, eager: bool | None = None) -> dict:
    """Every check, and ``ok``: no check that applies is failing (``INFORMATIVE`` ones
    aside). The broker and the eager mode default to Celery's configuration."""
    conf = celery_app.conf
    broker_url = conf.broker_url if broker_url is None else broker_url
    eager = conf.task_always_eager if eager is None else eager
    now = timezone.now()
    broker, queue_length = _broker(broker_url, conf.task_default_queue)
    checks = [broker, _workers(broker.ok, eager), _beat(now, eager), queue_length, *_runs(now)]
    return {
        "ok": all(check.ok is not False for check in checks if check.name not in INFORMATIVE),
        "checked_at": now.isoformat(),
        "checks": {check.name: {"label": check.label, **asdict(check)} for check in checks},
    }
