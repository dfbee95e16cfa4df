"""Role checks that belong to the business rule itself, not only to the page.

Approving a PO or releasing a hold is refused to a user without the permission whoever
calls the service: a page, the admin, a task or a shell.
"""

from .errors import PermissionRefused


def require_permission(actor, permission: str, action: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionRefused(f"{actor} is not allowed to {action}.")
