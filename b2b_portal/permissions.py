"""Role checks that belong to the business rule itself, not only to the page.

Approving a PO or releasing a hold is refused to a user without the permission whoever
calls the service: a page, the admin, a task or a shell.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from .errors import PermissionRefused

# (user pk, permissions, business unit pk) lent for one service call: see ``lent``.
_lent: ContextVar[tuple | None] = ContextVar("lent_permissions", default=None)


def require_permission(actor, permission: str, action: str) -> None:
    if not (actor.has_perm(permission) or holds_lent(actor, permission=permission)):
        raise PermissionRefused(f"{actor} is not allowed to {action}.")


@contextmanager
def lent(actor, *, permissions, business_unit_id: int):
    """For the calls inside the block, ``actor`` holds ``permissions`` in that one business
    unit as far as the services' own checks go (``require_permission``,
    ``catalog.units.require_business_unit``); pages never see it. A supplier user acts so on
    their own supplier's PO (suppliers.services), which the caller has checked instead."""
    token = _lent.set((actor.pk, frozenset(permissions), business_unit_id))
    try:
        yield
    finally:
        _lent.reset(token)


def holds_lent(actor, *, permission: str = "", business_unit_id: int | None = None) -> bool:
    grant = _lent.get()
    if grant is None or grant[0] != actor.pk:
        return False
    if permission:
        return permission in grant[1]
    return business_unit_id == grant[2]
