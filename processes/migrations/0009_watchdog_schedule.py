"""Every five minutes, at :03, :08, ... (minutes no default process schedule uses), beat
runs the watchdog that marks runs without progress past their limit Stalled."""

from django.conf import settings
from django.db import migrations

NAME = "Mark stalled runs (default, every 5 min)"


def create_schedule(apps, schema_editor):
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = crontab_model.objects.get_or_create(
        minute="3-59/5",
        hour="*",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    task_model.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "processes.watch_runs",
            "crontab": crontab,
            "description": "Default schedule created with the portal.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("processes", "0008_run_lifecycle"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
