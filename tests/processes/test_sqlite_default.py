"""The zero-setup default (`make run`: SQLite, a worker and beat beside the web server)
survives processes that start in the same second (issue 11, acceptance 1): none ends
"database is locked" or stays Queued."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import laptop
from tests.processes.real_workers import RedisServer, start_worker

pytestmark = [pytest.mark.slow, pytest.mark.celery_worker]

SCRIPT = Path(__file__).with_name("sqlite_concurrent_runs.py")
PROJECT_ROOT = SCRIPT.parents[2]


def script(mode: str, env: dict) -> list[list[str]]:
    """Run the script in a process of its own; its lines, split (process, status, error)."""
    done = subprocess.run(
        [sys.executable, str(SCRIPT), mode],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [line.split(maxsplit=2) for line in done.stdout.splitlines() if line.strip()]


def test_processes_started_together_on_sqlite_all_succeed(tmp_path):
    """One prepared SQLite file (migrating one takes most of a minute), two ways of starting
    processes at once: three that feed each other on threads of one process, then every
    default schedule as beat sends them when they fall due in the same second, through
    Redis to a worker started as `make run` starts it (prefork, two children)."""
    database = tmp_path / "db.sqlite3"
    script("prepare", laptop(database))
    threads_database = tmp_path / "threads.sqlite3"
    shutil.copyfile(database, threads_database)

    assert script("threads", laptop(threads_database)) == [
        ["progress_order", "SUCCEEDED"],
        ["generate_supply_orders", "SUCCEEDED"],
        ["autocreate_purchase_orders", "SUCCEEDED"],
    ]

    redis_server = RedisServer(tmp_path)
    redis_server.start()
    env = laptop(database, redis_server.url)
    worker = start_worker(
        redis_server.url,
        tmp_path / "worker.log",
        pool="prefork",
        concurrency=2,
        settings_module="b2b_portal.settings.local",
        database_url=env["DATABASE_URL"],
    )
    try:
        runs = script("beat", env)
    finally:
        worker.stop()
        redis_server.stop()

    assert sorted(run[:2] for run in runs) == [
        ["autocreate_purchase_orders", "SUCCEEDED"],
        ["autoinvoice_import", "SUCCEEDED"],
        ["generate_supply_orders", "SUCCEEDED"],
        ["late_supply", "SUCCEEDED"],
        ["progress_order", "SUCCEEDED"],
        ["validate_ap_invoices", "SUCCEEDED"],
    ], (runs, worker.output())
    assert "database is locked" not in worker.output()
