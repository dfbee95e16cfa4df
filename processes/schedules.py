"""Beat schedules as operations see, make and steer them: every schedule with its cadence
in words and next run, a new one from Schedule New Process, and pausing or resuming one,
each with who did it and when.

A schedule is django-celery-beat's ``PeriodicTask``, read by beat's ``DatabaseScheduler``;
a process's schedule calls ``processes.run_scheduled`` with the process, its parameters and
the schedule's name as kwargs. Pausing is ``enabled = False`` saved through the model, so
beat hears of the change (``PeriodicTasks.changed``). Who paused or resumed is an admin
``LogEntry`` of the schedule (the processes app keeps no table of its own for schedules):
the admin's history of the periodic task shows it, and the Scheduled Processes page.

A schedule's unit is the ``business_unit`` of the parameters it passes. The schedules of
every unit (the defaults, the relay, the watchdog) are the background machinery's: shown
to everyone who may see schedules, and paused by operations for the whole portal.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from b2b_portal.errors import (
    ApplicationError,
    PermissionRefused,
    TransitionRefused,
    ValidationRefused,
)
from b2b_portal.integrity import refused_on_conflict
from b2b_portal.permissions import require_permission
from catalog.units import (
    NOT_YOUR_UNIT,
    business_units_of,
    require_business_unit,
    works_in_every_unit,
)

from .models import ProcessRun
from .registry import PROCESSES, ProcessDefinition
from .selectors import runs_visible_to
from .services import _definition, _require_units

RUN_SCHEDULED_TASK = "processes.run_scheduled"
STEER_PERMISSION = "django_celery_beat.change_periodictask"
# PostgreSQL's name for the unique constraint of django-celery-beat's PeriodicTask.name.
SCHEDULE_NAME_CONSTRAINT = "django_celery_beat_periodictask_name_key"
SCHEDULED_TWICE = "This schedule was just made: it is in the list of schedules."
SCHEDULE_PAUSED = "{name} is paused: beat queues no run of it until it is resumed."
SCHEDULE_RESUMED = "{name} is resumed: its next run is at {next_run}."
ALREADY_PAUSED = "{name} was already paused (by someone else just now?); nothing changed."
ALREADY_RUNNING = "{name} was already running on its schedule; nothing changed."
NOT_A_PROCESS_SCHEDULE = (
    "{name} keeps the background machinery going and runs no process: it is not paused "
    "from this page (the administrator may, in the admin's Periodic tasks)."
)
PAUSED_NOTE = "Paused from the Scheduled Processes page."
RESUMED_NOTE = "Resumed from the Scheduled Processes page."


def schedule_process(task: PeriodicTask) -> tuple[ProcessDefinition | None, dict]:
    """The process a schedule runs and its parameters; (None, {}) for the machinery's own
    schedules (the relay, the watchdog) and anything not made for a process."""
    if task.task != RUN_SCHEDULED_TASK:
        return None, {}
    try:
        kwargs = json.loads(task.kwargs or "{}")
    except ValueError:
        return None, {}
    return PROCESSES.get(kwargs.get("process")), kwargs.get("parameters") or {}


@transaction.atomic
def process_schedule_create(
    *,
    actor,
    process: str,
    parameters: dict,
    every_minutes: int | None = None,
    daily_at=None,
) -> PeriodicTask:
    """A beat schedule that queues a run of ``process`` every N minutes or daily."""
    definition = _definition(process)
    definition.require_may_be_run_by(actor)
    _require_units(actor, parameters)
    if bool(every_minutes) == bool(daily_at):
        raise ValidationRefused("Choose either every N minutes or a daily time.")
    if every_minutes:
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=every_minutes, period=IntervalSchedule.MINUTES
        )
        when, schedule = f"every {every_minutes} min", {"interval": interval}
    else:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=str(daily_at.minute),
            hour=str(daily_at.hour),
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=timezone.get_current_timezone_name(),
        )
        when, schedule = f"daily at {daily_at:%H:%M}", {"crontab": crontab}
    stamp = f"{actor.get_username()}, {timezone.now():%Y-%m-%d %H:%M:%S}"
    name = f"{definition.name} {when} ({stamp})"
    # The same form sent twice within a second names the schedule alike; sent at once,
    # the unique constraint decides.
    if PeriodicTask.objects.filter(name=name).exists():
        raise ValidationRefused(SCHEDULED_TWICE)
    with refused_on_conflict({SCHEDULE_NAME_CONSTRAINT: ValidationRefused(SCHEDULED_TWICE)}):
        return PeriodicTask.objects.create(
            name=name,
            task=RUN_SCHEDULED_TASK,
            kwargs=json.dumps(
                {"process": process, "parameters": parameters, "schedule_name": name}
            ),
            description=f"Scheduled by {actor.get_username()} from the Scheduled Processes page.",
            **schedule,
        )


def may_steer(user, task: PeriodicTask, *, unit_ids: set[int] | None = None) -> bool:
    """Whether ``user`` may pause and resume ``task`` (the page offers the button)."""
    try:
        require_may_steer(user, task, unit_ids=unit_ids)
    except ApplicationError:
        return False
    return True


def require_may_steer(actor, task: PeriodicTask, *, unit_ids: set[int] | None = None) -> None:
    """Operations pause a process's schedule: a unit's schedule only within their units;
    the schedules of every unit (the defaults) are the background machinery's, which
    operations run for the whole portal. The relay and the watchdog are not paused here:
    without them runs would be stranded. ``unit_ids``: the units the actor works in, when
    the caller has them already (a list of schedules)."""
    require_permission(actor, STEER_PERMISSION, "pause or resume a schedule")
    definition, parameters = schedule_process(task)
    if definition is None:
        raise ValidationRefused(NOT_A_PROCESS_SCHEDULE.format(name=task.name))
    unit = parameters.get("business_unit")
    if unit is None:
        return
    if unit_ids is None:
        require_business_unit(actor, unit)
    elif unit not in unit_ids:
        raise PermissionRefused(NOT_YOUR_UNIT.format(actor=actor))


def _schedule_enable(*, actor, schedule_id: int, enabled: bool, note: str) -> PeriodicTask:
    # Two operators pausing and resuming one schedule at once: the second waits, then sees
    # what the first did (its refusal says so) instead of writing over it.
    task = PeriodicTask.objects.select_for_update(of=("self",)).get(pk=schedule_id)
    require_may_steer(actor, task)
    if task.enabled == enabled:
        refusal = ALREADY_RUNNING if enabled else ALREADY_PAUSED
        raise TransitionRefused(refusal.format(name=task.name))
    task.enabled = enabled
    # save(), not update(): beat's DatabaseScheduler rereads schedules when
    # PeriodicTasks.changed says so, which only save() tells it.
    task.save()
    LogEntry.objects.log_actions(
        actor.pk,
        PeriodicTask.objects.filter(pk=task.pk),
        CHANGE,
        change_message=note,
        single_object=True,
    )
    return task


@transaction.atomic
def process_schedule_pause(*, actor, schedule_id: int) -> PeriodicTask:
    """Stop beat queueing runs of a schedule until it is resumed; runs already queued go on."""
    return _schedule_enable(actor=actor, schedule_id=schedule_id, enabled=False, note=PAUSED_NOTE)


@transaction.atomic
def process_schedule_resume(*, actor, schedule_id: int) -> PeriodicTask:
    """Let beat queue a paused schedule's runs again, from its next due time."""
    return _schedule_enable(actor=actor, schedule_id=schedule_id, enabled=True, note=RESUMED_NOTE)


def cadence_in_words(task: PeriodicTask) -> str:
    """How often a schedule fires, as the docs write it: "every 5 min, at :02, :07, :12 ...",
    "hourly at :30", "daily at 06:00"; cron-descriptor's wording for anything else."""
    if task.interval:
        every, period = task.interval.every, task.interval.period.rstrip("s")
        return f"every {period}" if every == 1 else f"every {every} {period}s"
    if task.clocked:
        return f"once, at {timezone.localtime(task.clocked.clocked_time):%Y-%m-%d %H:%M}"
    if not task.crontab:
        return str(task.scheduler)
    crontab = task.crontab
    local = str(crontab.timezone) == timezone.get_current_timezone_name()
    zone = "" if local else f" ({crontab.timezone})"
    every_day = (crontab.day_of_week, crontab.day_of_month, crontab.month_of_year) == ("*",) * 3
    if every_day and crontab.hour == "*":
        minutes = sorted(task.crontab.schedule.minute)
        if len(minutes) == 1:
            return f"hourly at :{minutes[0]:02d}{zone}"
        # Evenly spaced round the hour (the last to the next hour's first too).
        steps = {b - a for a, b in pairwise([*minutes, minutes[0] + 60])}
        if len(steps) == 1:
            shown = ", ".join(f":{minute:02d}" for minute in minutes[:3])
            return f"every {steps.pop()} min, at {shown} ...{zone}"
    if every_day and crontab.hour.isdigit() and crontab.minute.isdigit():
        return f"daily at {int(crontab.hour):02d}:{int(crontab.minute):02d}{zone}"
    return crontab.human_readable


def next_run_at(task: PeriodicTask, now: datetime | None = None) -> datetime | None:
    """When beat next queues the schedule; None when it is paused or ran its one time.

    Beat counts from the last run, and from its own start for a schedule that never ran:
    ``now`` stands in for that start."""
    if not task.enabled or (task.one_off and task.total_run_count):
        return None
    now = now or timezone.now()
    if task.clocked:
        return task.clocked.clocked_time
    schedule = task.schedule
    zone = getattr(schedule, "tz", None) or now.tzinfo  # a crontab counts in its own zone
    schedule.nowfun = lambda: now.astimezone(zone)
    last = task.last_run_at or now
    if task.start_time and task.start_time > last:
        last = task.start_time
    due = now + schedule.remaining_estimate(last.astimezone(zone))
    # An overdue schedule (beat was stopped) fires as soon as beat looks at it again.
    return max(due, now)


@dataclass(frozen=True)
class ScheduleRow:
    """One beat schedule as the Scheduled Processes page shows it."""

    task: PeriodicTask
    process: ProcessDefinition | None  # None: the machinery's own (relay, watchdog)
    unit: str  # the business unit's code, or "Every unit"
    cadence: str
    next_run: datetime | None  # None while paused
    last_run: ProcessRun | None  # the newest run it queued
    last_run_visible: bool  # the user may open that run (runs_visible_to)
    last_change: LogEntry | None  # the newest pause or resume, who and when
    may_steer: bool


def _unit_of(task: PeriodicTask) -> int | None:
    return schedule_process(task)[1].get("business_unit")


def schedules_visible_to(user) -> list[ScheduleRow]:
    """Every schedule the user may see: those of every unit (the defaults, the machinery's)
    and those of the user's units; process schedules first, then by name. A constant number
    of queries whatever the schedules and runs."""
    own_units = dict(business_units_of(user).values_list("pk", "code"))
    every_unit = works_in_every_unit(user)
    tasks = [
        task
        for task in PeriodicTask.objects.select_related("interval", "crontab", "clocked", "solar")
        if _unit_of(task) is None or every_unit or _unit_of(task) in own_units
    ]
    newest = (
        ProcessRun.objects.filter(schedule_name__in=[task.name for task in tasks])
        .values("schedule_name")
        .annotate(newest=Max("pk"))
        .values_list("newest", flat=True)
    )
    last_runs = {run.schedule_name: run for run in ProcessRun.objects.filter(pk__in=newest)}
    visible = set(runs_visible_to(user).filter(pk__in=newest).values_list("pk", flat=True))
    pauses_and_resumes = LogEntry.objects.filter(
        # By name, in the same query: no content type lookup on a cold cache.
        content_type__app_label=PeriodicTask._meta.app_label,
        content_type__model=PeriodicTask._meta.model_name,
        object_id__in=[str(task.pk) for task in tasks],
        change_message__in=[PAUSED_NOTE, RESUMED_NOTE],
    )
    changes = {}
    for entry in pauses_and_resumes.select_related("user").order_by("-action_time", "-pk"):
        changes.setdefault(entry.object_id, entry)
    now = timezone.now()
    rows = []
    for task in tasks:
        definition, parameters = schedule_process(task)
        last_run = last_runs.get(task.name)
        unit = parameters.get("business_unit")
        rows.append(
            ScheduleRow(
                task=task,
                process=definition,
                # A schedule shown is of every unit or of one of the user's units (all of
                # them for a user who works in every unit).
                unit="Every unit" if unit is None else own_units.get(unit, str(unit)),
                cadence=cadence_in_words(task),
                next_run=next_run_at(task, now),
                last_run=last_run,
                last_run_visible=last_run is not None and last_run.pk in visible,
                last_change=changes.get(str(task.pk)),
                may_steer=may_steer(user, task, unit_ids=set(own_units)),
            )
        )
    return sorted(rows, key=lambda row: (row.process is None, row.task.name))


def schedule_visible_to(user, pk: int) -> PeriodicTask | None:
    """One schedule, or None when it does not exist or is of a unit not the user's."""
    task = PeriodicTask.objects.filter(pk=pk).first()
    if task is None or _unit_of(task) is None or works_in_every_unit(user):
        return task
    return task if business_units_of(user).filter(pk=_unit_of(task)).exists() else None
