"""The daily Late Supply run (06:00 in the portal's time zone)."""

import json

from django.conf import settings
from django.db import migrations

NAME = "Late Supply (default, daily 06:00)"


def create_schedule(apps, schema_editor):
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = crontab_model.objects.get_or_create(
        minute="0", hour="6", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    task_model.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "processes.run_scheduled",
            "crontab": crontab,
            "kwargs": json.dumps({"process": "late_supply", "parameters": {}, "schedule_name": NAME}),
            "description": "Default schedule created with the portal.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("processes", "0002_default_schedules")]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
