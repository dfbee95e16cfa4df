"""Role checks that belong to the business rule itself, not only to the page.

Approving a PO or releasing a hold is refused to a user without the permission whoever
calls the service: a page, the admin, a task or a shell.
"""

from .errors import PermissionRefused


def require_permission(actor, permission: str, action: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionRefused(f"{actor} is not allowed to {action}.")


def require_business_unit(actor, business_unit_id: int) -> None:
    """Users act only on their own business units' documents; superusers on all."""
    if actor.is_superuser or actor.business_units.filter(pk=business_unit_id).exists():
        return
    raise PermissionRefused(f"{actor} does not work in this document's business unit.")
