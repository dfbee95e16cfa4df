"""The tasks beat calls: one queues a run of a process for a schedule, the other relays
runs whose task never reached the broker."""

from celery import shared_task

from .models import Trigger
from .services import process_run_queue, process_runs_dispatch_pending


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
