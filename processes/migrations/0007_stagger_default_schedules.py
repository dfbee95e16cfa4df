"""The default schedules start at staggered minutes instead of together: Progress Order at
:00, :05, ...; Generate Supply Orders two minutes later, when the supply orders it needs
exist; AutoCreate two minutes after that, four times an hour; Import AutoInvoice at :30 and
Validate AP Invoices at :45. Intervals all fired in the same second (and fought for SQLite's
lock in `make run`)."""

from django.conf import settings
from django.db import migrations

# schedule name (0002) -> crontab minute, every hour
STAGGERED = {
    "Progress Order (default, every 5 min)": "0-59/5",
    "Generate Supply Orders (default, every 5 min)": "2-59/5",
    "AutoCreate Purchase Orders (default, every 15 min)": "4-59/15",
    "Import AutoInvoice (default, every 60 min)": "30",
    "Validate AP Invoices (default, every 60 min)": "45",
}


def stagger(apps, schema_editor):
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, minute in STAGGERED.items():
        crontab, _ = crontab_model.objects.get_or_create(
            minute=minute,
            hour="*",
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=settings.TIME_ZONE,
        )
        task_model.objects.filter(name=name, interval__isnull=False).update(
            interval=None, crontab=crontab
        )


class Migration(migrations.Migration):
    dependencies = [("processes", "0006_relay_schedule")]

    operations = [migrations.RunPython(stagger, migrations.RunPython.noop)]
