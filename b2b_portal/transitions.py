"""Running a django-fsm transition from a service, for one object or a batch.

Every service changes a status the same way: check that the transition may run from the
current status (else refuse with a message a clerk can act on), run it in memory, and stamp
the history user and reason. The caller saves, inside its own ``transaction.atomic``; a
batch is saved by ``bulk_save_moved`` (``b2b_portal.bulk_writes``), which keeps the history
rows.
"""

from django.utils import timezone
from django_fsm import TransitionNotAllowed

from .bulk_writes import bulk_save_together, history_reason
from .errors import TransitionRefused


def apply_transition(obj, name: str, *, actor, reason: str = "", refusal: str = "", **kwargs):
    """Run transition ``name`` on ``obj`` in memory, or raise ``TransitionRefused``. The
    transition checks its source and conditions before it changes anything: checked once,
    not first by ``can_proceed`` (a condition may query, as a PO's live lines do)."""
    try:
        result = getattr(obj, name)(**kwargs)
    except TransitionNotAllowed:
        label = name.replace("_", " ")
        raise TransitionRefused(
            refusal or f"{obj} is {obj.get_status_display()}: it cannot {label} now."
        ) from None
    stamp_history(obj, actor=actor, reason=reason or name.replace("_", " "))
    return result


def stamp_history(obj, *, actor, reason: str) -> None:
    """Tell django-simple-history who made the next save of ``obj`` and why."""
    obj._history_user = actor
    obj._change_reason = history_reason(reason)


def bulk_apply_transition(objects, name: str, *, actor, reason: str, fields=("status",)) -> None:
    """``apply_transition`` on every object in memory, then one write for them all."""
    for obj in objects:
        apply_transition(obj, name, actor=actor, reason=reason)
    bulk_save_moved(objects, fields, actor=actor, reason=reason)


def bulk_save_moved(objects, fields, *, actor, reason: str) -> None:
    """``bulk_save_with_history`` of rows moved in memory, their ``updated_at`` set (a
    set-based write skips ``auto_now``); ``reason`` where no reason is stamped on a row."""
    bulk_save_moved_together([(objects, fields)], actor=actor, reason=reason)


def bulk_save_moved_together(batches, *, actor, reason: str) -> None:
    """``bulk_save_moved`` of several ``(objects, fields)`` batches at once (a booking's
    lines and its order): one statement on PostgreSQL (``bulk_save_together``)."""
    now = timezone.now()
    for objects, _fields in batches:
        for obj in objects:
            obj.updated_at = now
    bulk_save_together(
        [(objects, [*fields, "updated_at"]) for objects, fields in batches],
        actor=actor,
        reason=reason,
    )
