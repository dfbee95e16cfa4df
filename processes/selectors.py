"""The run log as a user may read it: scoped to business units like the documents.

A run's unit is its ``business_unit`` parameter; a run without one went over every unit,
so only a user who works in every unit (an administrator) may read it.
"""

from django.db.models import QuerySet

from catalog.units import unit_ids_of, works_in_every_unit

from .models import ProcessRun, RunStatus
from .registry import processes_runnable_by


def runs_visible_to(user, runs: QuerySet[ProcessRun] | None = None) -> QuerySet[ProcessRun]:
    runs = ProcessRun.objects.all() if runs is None else runs
    if works_in_every_unit(user):
        return runs
    return runs.filter(parameters__business_unit__in=unit_ids_of(user))


def runs_waiting_on(user) -> QuerySet[ProcessRun]:
    """The runs that wait on ``user`` (operations, or the role the registry lets run the
    process): Stalled or Failed, not yet retried, in the user's units; oldest first."""
    codes = [definition.code for definition in processes_runnable_by(user)]
    return (
        runs_visible_to(user)
        .filter(
            status__in=[RunStatus.STALLED, RunStatus.FAILED], retry__isnull=True, process__in=codes
        )
        .select_related("requested_by", "retry_of")
        .order_by("pk")
    )
