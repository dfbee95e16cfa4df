"""The laptop default (`make run`: SQLite) opens the pages whose SQL is built by hand: the
Exceptions union and the dashboard once failed there on PostgreSQL-only SQL (a ``::``
cast, collation "C", ``unnest``) while every test ran on PostgreSQL."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import laptop

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).with_name("laptop_pages.py")
PROJECT_ROOT = SCRIPT.parents[2]


def test_the_dashboard_and_the_exceptions_open_on_sqlite(tmp_path):
    done = subprocess.run(
        [sys.executable, str(SCRIPT)],
        env=laptop(tmp_path / "db.sqlite3"),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line.split() for line in done.stdout.splitlines() if line.strip()]
    late = [int(line[1]) for line in lines if line[0] == "late"]
    pages = [line for line in lines if line[0] != "late"]
    assert late and late[0] > 0  # the work area has late supply to show
    assert len(pages) == 16
    assert [(user, path) for user, path, status in pages if status != "200"] == []
