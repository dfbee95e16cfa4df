"""The zero-setup default (`make run`: SQLite, a worker and beat beside the web server)
survives processes that start in the same second (issue 11): none ends "database is
locked" or stays Queued."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).with_name("sqlite_concurrent_runs.py")


def test_runs_started_together_on_sqlite_all_succeed(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "b2b_portal.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PYTHONPATH": str(SCRIPT.parents[2]),
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, str(SCRIPT)],
        env=env,
        cwd=SCRIPT.parents[2],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    statuses = [line.split() for line in done.stdout.splitlines() if line.strip()]
    assert statuses == [
        ["progress_order", "SUCCEEDED"],
        ["generate_supply_orders", "SUCCEEDED"],
        ["autocreate_purchase_orders", "SUCCEEDED"],
    ], done.stderr[-3000:]
