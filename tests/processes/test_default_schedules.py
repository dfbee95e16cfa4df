"""The default beat schedules (issue 11): staggered so that processes feeding each other
do not start in the same second, and the outbox relay every minute."""

import importlib

import pytest
from django.apps import apps
from django_celery_beat.models import PeriodicTask

pytestmark = pytest.mark.django_db

# The data migrations that make and move the default schedules, in order.
SCHEDULE_MIGRATIONS = [
    ("0002_default_schedules", "create_schedules"),
    ("0003_late_supply_schedule", "create_schedule"),
    ("0006_relay_schedule", "create_schedule"),
    ("0007_stagger_default_schedules", "stagger"),
    ("0009_watchdog_schedule", "create_schedule"),
]


@pytest.fixture(autouse=True)
def _as_migrated():
    """The schedules as the migrations make them, made again here: a transactional test's
    flush empties the table, and a reused test database keeps it empty."""
    PeriodicTask.objects.all().delete()
    for migration, function in SCHEDULE_MIGRATIONS:
        module = importlib.import_module(f"processes.migrations.{migration}")
        getattr(module, function)(apps, None)


def test_beat_relays_every_minute_by_default():
    relay = PeriodicTask.objects.get(task="processes.dispatch_pending_runs")
    assert relay.enabled and (relay.interval.every, relay.interval.period) == (1, "minutes")


def test_the_default_schedules_start_at_staggered_minutes():
    """Processes that feed each other do not start in the same second."""
    minutes = {
        task.name.split(" (")[0]: task.crontab.minute
        for task in PeriodicTask.objects.filter(
            task="processes.run_scheduled", description="Default schedule created with the portal."
        ).select_related("crontab")
    }
    assert minutes == {
        "Progress Order": "0-59/5",
        "Generate Supply Orders": "2-59/5",
        "AutoCreate Purchase Orders": "4-59/15",
        "Late Supply": "0",
        "Import AutoInvoice": "30",
        "Validate AP Invoices": "45",
    }
