"""The Celery application: tasks are discovered in every app's ``tasks`` module."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "b2b_portal.settings.local")

app = Celery("b2b_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
