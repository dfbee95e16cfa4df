"""The run lifecycle (issue 11): Stalled and Cancelled, a heartbeat the watchdog reads,
the checkpoint a redelivered run resumes from, the retry of a run, failed lines that name
their row and document, and the timeline's events. Runs logged before this take their
last sign of life from when they started or were queued."""

import django.db.models.deletion
import django.utils.timezone
import django_fsm
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Coalesce


def heartbeat_from_history(apps, schema_editor):
    apps.get_model("processes", "ProcessRun").objects.update(
        heartbeat_at=Coalesce("started_at", "queued_at")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('processes', '0007_stagger_default_schedules'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='processrun',
            name='cancel_reason',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='processrun',
            name='checkpoint',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='processrun',
            name='heartbeat_at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name='processrun',
            name='retry',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='retry_of', to='processes.processrun'),
        ),
        migrations.AddField(
            model_name='processrunfailure',
            name='document_url',
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name='processrunfailure',
            name='source_id',
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='processrun',
            name='status',
            field=django_fsm.FSMField(choices=[('QUEUED', 'Queued'), ('RUNNING', 'Running'), ('SUCCEEDED', 'Succeeded'), ('WITH_FAILURES', 'Finished with failures'), ('FAILED', 'Failed'), ('STALLED', 'Stalled'), ('CANCELLED', 'Cancelled')], db_index=True, default='QUEUED', max_length=50, protected=True),
        ),
        migrations.CreateModel(
            name='ProcessRunEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('QUEUED', 'Queued'), ('DISPATCHED', 'Sent to a worker'), ('STARTED', 'Started'), ('CHUNK', 'Chunk committed'), ('STALLED', 'Stalled'), ('RETRIED', 'Retried'), ('CANCELLED', 'Cancelled'), ('SUCCEEDED', 'Succeeded'), ('WITH_FAILURES', 'Finished with failures'), ('FAILED', 'Failed')], max_length=16)),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('lines', models.PositiveIntegerField(blank=True, null=True)),
                ('documents', models.PositiveIntegerField(blank=True, null=True)),
                ('failures', models.PositiveIntegerField(blank=True, null=True)),
                ('note', models.TextField(blank=True)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='processes.processrun')),
            ],
            options={
                'ordering': ['run_id', 'id'],
            },
        ),
        migrations.RunPython(heartbeat_from_history, migrations.RunPython.noop),
    ]
