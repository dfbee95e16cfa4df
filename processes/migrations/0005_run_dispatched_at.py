"""Runs remember when their task reached the broker (the outbox). Runs logged before this
were sent the old way, on commit: they count as dispatched."""

from django.db import migrations, models
from django.db.models import F


def mark_existing_runs_dispatched(apps, schema_editor):
    apps.get_model("processes", "ProcessRun").objects.update(dispatched_at=F("queued_at"))


class Migration(migrations.Migration):
    dependencies = [("processes", "0004_alter_processrun_process")]

    operations = [
        migrations.AddField(
            model_name="processrun",
            name="dispatched_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_existing_runs_dispatched, migrations.RunPython.noop),
    ]
