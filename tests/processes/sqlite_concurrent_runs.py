"""Run by test_sqlite_default.py in a process of its own, on the laptop settings and a fresh
SQLite file: three runs that feed each other start at the same moment, each on its own
thread and connection, as beat starts them in `make run`. Prints one line per run."""

import threading

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from b2b_portal.celery import app  # noqa: E402
from orchestration.demo import bulk_book_orders, load_demo_data  # noqa: E402
from processes.models import ProcessRun  # noqa: E402
from processes.registry import PROCESSES  # noqa: E402
from procurement.services import orders_progress  # noqa: E402


def execute(run):
    try:
        app.tasks[PROCESSES[run.process].task_name].apply(args=[run.pk])
    finally:
        connection.close()


call_command("migrate", verbosity=0)
world = load_demo_data()
bulk_book_orders(world, count=300)
orders_progress(actor=world.users["manager"])
bulk_book_orders(world, count=300)
runs = [
    ProcessRun.objects.create(process=process, parameters={"batch_size": 20})
    for process in ("progress_order", "generate_supply_orders", "autocreate_purchase_orders")
]
threads = [threading.Thread(target=execute, args=(run,)) for run in runs]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
for run in ProcessRun.objects.filter(pk__in=[run.pk for run in runs]).order_by("pk"):
    print(run.process, run.status)
