"""The row locks of the processes app, each ``select_for_update(of=("self",))``."""

from .models import ProcessRun


def process_run_lock(pk: int) -> ProcessRun:
    # A run's status and counts move under this lock: the worker between chunks, the
    # watchdog, Cancel and Retry each see what the other did.
    return ProcessRun.objects.select_for_update(of=("self",)).get(pk=pk)
