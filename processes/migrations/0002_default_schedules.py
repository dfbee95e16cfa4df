"""Default schedules for the five processes; operations edit them in the admin
(Periodic tasks) or add more from the Scheduled Processes page."""

import json

from django.db import migrations

DEFAULTS = [
    ("progress_order", "Progress Order", 5),
    ("generate_supply_orders", "Generate Supply Orders", 5),
    ("autocreate_purchase_orders", "AutoCreate Purchase Orders", 15),
    ("autoinvoice_import", "Import AutoInvoice", 60),
    ("validate_ap_invoices", "Validate AP Invoices", 60),
]


def create_schedules(apps, schema_editor):
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    for code, name, minutes in DEFAULTS:
        interval, _ = interval_model.objects.get_or_create(every=minutes, period="minutes")
        schedule_name = f"{name} (default, every {minutes} min)"
        task_model.objects.get_or_create(
            name=schedule_name,
            defaults={
                "task": "processes.run_scheduled",
                "interval": interval,
                "kwargs": json.dumps(
                    {"process": code, "parameters": {}, "schedule_name": schedule_name}
                ),
                "description": "Default schedule created with the portal.",
            },
        )


def remove_schedules(apps, schema_editor):
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    task_model.objects.filter(
        task="processes.run_scheduled", description="Default schedule created with the portal."
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("processes", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
