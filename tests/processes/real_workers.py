"""What the tests with real Celery workers share (marker ``celery_worker``): a Redis server
of the test's own, the test's Celery app pointed at it, worker subprocesses on the test
database, and waiting on a run.

Each test gets its own ``redis-server`` on a free port (nothing saved to disk): its queue,
its unacknowledged messages and their visibility timeout are nobody else's, so the tests
are safe under xdist and beside anyone else's worker on the machine's Redis.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis
from django.db import connection

from b2b_portal.celery import app as celery_app
from processes.models import FINISHED, ProcessRun

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RedisServer:
    """A private ``redis-server``; ``stop()`` and ``start()`` again on the same port are an
    outage and the broker coming back."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def use_broker(url: str | None) -> None:
    """Send this process's tasks to ``url`` (not eager), or back to the settings (None)."""
    from django.conf import settings

    celery_app.conf.broker_url = url or settings.CELERY_BROKER_URL
    celery_app.conf.task_always_eager = url is None
    # The connection and producer pools were made for the previous broker.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@dataclass
class Worker:
    """A ``celery worker`` subprocess, in a process group of its own so that the test can
    kill it whole (``kill()``) or find its pool children."""

    process: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def pool_children(self) -> list[int]:
        """The prefork pool's child processes (from /proc: the worker's children)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def kill(self) -> None:
        """SIGKILL to the worker and its pool children at once: nothing is acknowledged."""
        os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text()[-4000:]


def start_worker(
    broker_url: str,
    log: Path,
    *,
    pool: str = "solo",
    concurrency: int = 1,
    visibility_timeout: int | None = None,
    settings_module: str = "b2b_portal.settings.test",
    database_url: str | None = None,
) -> Worker:
    """A worker on ``broker_url`` and, unless told otherwise, the test database."""
    if database_url is None:
        database = connection.settings_dict
        database_url = (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
            f"/{database['NAME']}"
        )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": database_url,
        "REDIS_URL": broker_url,
    }
    if visibility_timeout is not None:
        env["CELERY_VISIBILITY_TIMEOUT"] = str(visibility_timeout)
    command = [sys.executable, "-m", "celery", "-A", "b2b_portal", "worker"]
    command += [f"--pool={pool}", f"--concurrency={concurrency}"]
    command += ["--without-mingle", "--without-gossip", "--without-heartbeat", "-l", "info"]
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Worker(process, log)


def run_state(run: ProcessRun) -> tuple[str, int]:
    return ProcessRun.objects.values_list("status", "lines_done").get(pk=run.pk)


def wait_for(run: ProcessRun, until, timeout: float, worker: Worker | None = None):
    """Poll the run until ``until(status, lines_done)`` holds; returns the seconds waited."""
    started = time.monotonic()
    while not until(*run_state(run)):
        waited = time.monotonic() - started
        detail = worker.output() if worker else ""
        assert waited < timeout, f"run {run.pk} is {run_state(run)} after {waited:.0f} s\n{detail}"
        time.sleep(0.02)
    return time.monotonic() - started


def finished(status: str, lines_done: int) -> bool:
    return status in FINISHED
