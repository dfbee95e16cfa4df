"""The production settings pass ``manage.py check --deploy`` with no warning at all."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def production_environment() -> dict[str, str]:
    """Only what production requires, so the developer's shell cannot hide a missing setting."""
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "b2b_portal.settings.production",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(60)),
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/b2b_portal"
        ),
        "ALLOWED_HOSTS": "portal.example.com",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    }


def test_check_deploy_reports_no_issue_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_ROOT,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr

    assert result.returncode == 0, output
    assert "WARNING" not in output, output
    assert "?: (security" not in output, output
    assert "System check identified no issues" in output, output
