"""Run by test_sqlite_default.py in a process of its own, on the laptop settings and a fresh
SQLite file, as `make run` runs: processes that start at the same moment must all succeed.
Prints one line per run: its process, its status and its error, if any.

    sqlite_concurrent_runs.py prepare   migrate and make the data (make run's demo orders,
                                        booked orders, open supply orders), tasks eager
    sqlite_concurrent_runs.py threads   three runs that feed each other, each on its own
                                        thread and connection, tasks in this process
    sqlite_concurrent_runs.py beat      what beat sends when every default schedule fires at
                                        once, through the broker (REDIS_URL) to a real worker
                                        the test started; waits for every run to finish
"""

import json
import sys
import threading
import time

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django_celery_beat.models import PeriodicTask  # noqa: E402

from b2b_portal.celery import app  # noqa: E402
from orchestration.demo import bulk_book_orders, load_demo_data  # noqa: E402
from orchestration.simulation import simulate_cycle  # noqa: E402
from processes.models import FINISHED, ProcessRun, Trigger  # noqa: E402
from processes.registry import PROCESSES  # noqa: E402
from procurement.services import orders_progress  # noqa: E402


def prepare() -> None:
    """make run's demo orders (documents at every stage: work for every process), then
    booked orders and open supply orders in volume."""
    call_command("migrate", verbosity=0)
    simulate_cycle(orders=14, mixed=True)
    world = load_demo_data()
    bulk_book_orders(world, count=300)
    orders_progress(actor=world.users["manager"])
    bulk_book_orders(world, count=300)
    # The last connection closed writes the WAL back: the file alone can be copied.
    connection.close()


def execute(run):
    try:
        app.tasks[PROCESSES[run.process].task_name].apply(args=[run.pk])
    finally:
        connection.close()


def in_threads() -> list[int]:
    runs = [
        ProcessRun.objects.create(process=process, parameters={"batch_size": 20})
        for process in ("progress_order", "generate_supply_orders", "autocreate_purchase_orders")
    ]
    threads = [threading.Thread(target=execute, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [run.pk for run in runs]


def as_beat(timeout: float = 240) -> list[int]:
    """Send every default schedule's task at once, as beat does when they fall due in the
    same second; the worker queues the runs and executes them."""
    schedules = PeriodicTask.objects.filter(task="processes.run_scheduled", enabled=True)
    for schedule in schedules:
        app.send_task(schedule.task, kwargs=json.loads(schedule.kwargs))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = ProcessRun.objects.filter(trigger=Trigger.SCHEDULE)
        if len(runs) == len(schedules) and all(run.status in FINISHED for run in runs):
            break
        time.sleep(0.2)
    return list(ProcessRun.objects.filter(trigger=Trigger.SCHEDULE).values_list("pk", flat=True))


mode = sys.argv[1]
if mode == "prepare":
    prepare()
else:
    pks = in_threads() if mode == "threads" else as_beat()
    for run in ProcessRun.objects.filter(pk__in=pks).order_by("pk"):
        print(run.process, run.status, run.error.replace("\n", " "))
