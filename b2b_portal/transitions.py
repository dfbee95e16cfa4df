"""Running a django-fsm transition from a service.

Every service changes a status the same way: check that the transition may run from the
current status (else refuse with a message a clerk can act on), run it in memory, and stamp
the history user and reason. The caller saves, inside its own ``transaction.atomic``.
"""

from django_fsm import can_proceed

from .errors import TransitionRefused


def apply_transition(obj, name: str, *, actor, reason: str = "", refusal: str = "", **kwargs):
    """Run transition ``name`` on ``obj`` in memory, or raise ``TransitionRefused``."""
    method = getattr(obj, name)
    if not can_proceed(method):
        label = name.replace("_", " ")
        raise TransitionRefused(
            refusal or f"{obj} is {obj.get_status_display()}: it cannot {label} now."
        )
    result = method(**kwargs)
    stamp_history(obj, actor=actor, reason=reason or name.replace("_", " "))
    return result


def stamp_history(obj, *, actor, reason: str) -> None:
    """Tell django-simple-history who made the next save of ``obj`` and why."""
    obj._history_user = actor
    obj._change_reason = reason
