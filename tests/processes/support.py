"""What the processes tests share."""

import importlib

from django.apps import apps

from b2b_portal.web import new_submission_token


def schedule_post(**data) -> dict:
    """A Schedule New Process post as the page sends it: once, batch 500, the once-only token,
    and the process whose parameters the page showed (``parameters_for``)."""
    data.setdefault("repeat", "once")
    data.setdefault("batch_size", 500)
    if "process" in data:
        data.setdefault("parameters_for", data["process"])
    data.setdefault("submission_token", new_submission_token())
    return data


# The migrations that make the default schedules, and their forward functions, in order.
DEFAULT_SCHEDULE_MIGRATIONS = [
    ("0002_default_schedules", "create_schedules"),
    ("0003_late_supply_schedule", "create_schedule"),
    ("0006_relay_schedule", "create_schedule"),
    ("0007_stagger_default_schedules", "stagger"),
    ("0009_watchdog_schedule", "create_schedule"),
]


def ensure_default_schedules() -> None:
    """The default schedules as the migrations make them (get_or_create: nothing doubles).
    A transactional test (a browser or a thread test) empties every table when it ends,
    the migrations' rows included, so a test that reads the defaults makes sure of them."""
    for module, function in DEFAULT_SCHEDULE_MIGRATIONS:
        migration = importlib.import_module(f"processes.migrations.{module}")
        getattr(migration, function)(apps, None)
