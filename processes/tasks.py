"""The tasks beat calls: one queues a run of a process for a schedule, one relays runs
whose task never reached the broker, one (the watchdog) marks silent runs Stalled."""

from celery import shared_task

from .models import Trigger
from .services import process_run_queue, process_runs_dispatch_pending, process_runs_watch


@shared_task(name="processes.run_scheduled")
def run_scheduled(process: str, parameters: dict | None = None, schedule_name: str = "") -> int:
    run = process_run_queue(
        process=process,
        parameters=parameters,
        trigger=Trigger.SCHEDULE,
        schedule_name=schedule_name,
    )
    return run.pk


@shared_task(name="processes.dispatch_pending_runs")
def dispatch_pending_runs() -> int:
    return process_runs_dispatch_pending()


@shared_task(name="processes.watch_runs")
def watch_runs() -> int:
    return len(process_runs_watch())
