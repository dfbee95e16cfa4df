"""Running a django-fsm transition from a service, for one object or a batch.

Every service changes a status the same way: check that the transition may run from the
current status (else refuse with a message a clerk can act on), run it in memory, and stamp
the history user and reason. The caller saves, inside its own ``transaction.atomic``;
batch processes save with ``bulk_save_with_history``, which keeps the history rows.
"""

from collections import defaultdict

from django.db import connection
from django.utils import timezone
from django_fsm import can_proceed
from simple_history.utils import get_history_manager_for_model

from .errors import TransitionRefused

# django-simple-history's history_change_reason column; a reason form takes up to 240.
HISTORY_REASON_MAX_LENGTH = 100


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
    obj._change_reason = history_reason(reason)


def history_reason(reason: str) -> str:
    """The reason as its history column holds it: a long one is shortened, not refused
    (the document keeps the whole text, as a line's cancel reason does)."""
    if len(reason) <= HISTORY_REASON_MAX_LENGTH:
        return reason
    return reason[: HISTORY_REASON_MAX_LENGTH - 1] + "…"


def bulk_apply_transition(objects, name: str, *, actor, reason: str, fields=("status",)) -> None:
    """``apply_transition`` on every object in memory, then one write for them all."""
    for obj in objects:
        apply_transition(obj, name, actor=actor, reason=reason)
    bulk_save_moved(objects, fields, actor=actor, reason=reason)


def bulk_save_moved(objects, fields, *, actor, reason: str) -> None:
    """``bulk_save_with_history`` of rows moved in memory, their ``updated_at`` set (a
    set-based write skips ``auto_now``); ``reason`` where no reason is stamped on a row."""
    now = timezone.now()
    for obj in objects:
        obj.updated_at = now
    bulk_save_with_history(objects, [*fields, "updated_at"], actor=actor, reason=reason)


def bulk_save_with_history(objects, fields, *, actor, reason: str) -> None:
    """Save ``fields`` of ``objects`` and one history row each, in a few statements.

    Objects that end with the same values (a batch moving to one status) are written by
    one set-based UPDATE; values that differ per object by one ``_bulk_update``.
    The caller holds the rows' locks.
    """
    if not objects:
        return
    model = type(objects[0])
    by_values = defaultdict(list)
    for obj in objects:
        by_values[tuple(getattr(obj, field) for field in fields)].append(obj.pk)
    if len(by_values) == 1:
        [(values, pks)] = by_values.items()
        model._default_manager.filter(pk__in=pks).update(**dict(zip(fields, values, strict=True)))
    else:
        _bulk_update(model, objects, fields)
    get_history_manager_for_model(model).bulk_history_create(
        objects, update=True, default_user=actor, default_change_reason=history_reason(reason)
    )


MAX_PARAMETERS = 65535


def _bulk_update(model, objects, fields) -> None:
    """Each object's own values in one statement. Django's ``bulk_update`` writes, for each
    field, a CASE with a WHEN per object that PostgreSQL evaluates for every row: its time
    grows with the square of the rows (4,000 order lines took 29 s). On PostgreSQL, one
    ``UPDATE ... FROM (VALUES ...)`` joined on the primary key instead, in linear time."""
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(objects, fields)
        return
    objects, meta = list(objects), model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    names = ", ".join(["pk", *(quote(field.column) for field in columns)])
    # VALUES types its columns from the literals: each is cast to its column's type.
    assignments = ", ".join(
        f"{quote(field.column)} = v.{quote(field.column)}::{field.db_type(connection)}"
        for field in columns
    )
    # A statement carries at most 65,535 parameters.
    rows_per_statement = MAX_PARAMETERS // (len(columns) + 1)
    with connection.cursor() as cursor:
        for start in range(0, len(objects), rows_per_statement):
            chunk = objects[start : start + rows_per_statement]
            params = []
            for obj in chunk:
                params.append(meta.pk.get_db_prep_value(obj.pk, connection))
                params.extend(
                    field.get_db_prep_save(getattr(obj, field.attname), connection)
                    for field in columns
                )
            cursor.execute(
                f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "
                f"FROM (VALUES {', '.join([row] * len(chunk))}) AS v({names}) "
                f"WHERE t.{quote(meta.pk.column)} = v.pk",
                params,
            )
