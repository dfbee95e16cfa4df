"""The task that beat calls for every schedule: it only queues a run of the process."""

from celery import shared_task

from .models import Trigger
from .services import process_run_queue


@shared_task(name="processes.run_scheduled")
def run_scheduled(process: str, parameters: dict | None = None, schedule_name: str = "") -> int:
    run = process_run_queue(
        process=process,
        parameters=parameters,
        trigger=Trigger.SCHEDULE,
        schedule_name=schedule_name,
    )
    return run.pk
