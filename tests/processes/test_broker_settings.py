"""The Celery settings that keep a run from being lost with its worker (issue 11, item 3;
docs/processes.md, "When a worker dies")."""

import os
import subprocess
import sys

from b2b_portal.celery import app as celery_app
from tests.processes.real_workers import PROJECT_ROOT


def test_a_run_is_acknowledged_when_it_ends_and_given_back_when_its_worker_dies():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options == {
        "visibility_timeout": 300,
        "unacked_restore_interval": 30,
        "unacked_restore_throttle": 1,
    }


def test_the_visibility_timeout_comes_from_the_environment():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.CELERY_BROKER_TRANSPORT_OPTIONS)",
        ],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "b2b_portal.settings.test",
            "CELERY_VISIBILITY_TIMEOUT": "1800",
        },
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == (
        "{'visibility_timeout': 1800, 'unacked_restore_interval': 180, "
        "'unacked_restore_throttle': 1}"
    )
