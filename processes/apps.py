from django.apps import AppConfig


class ProcessesConfig(AppConfig):
    name = "processes"

    def ready(self):
        # Register this app's Celery tasks in every process, so that a run can be
        # dispatched by the task's name in eager mode too.
        from . import tasks  # noqa: F401
