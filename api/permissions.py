"""The pages' role checks for API views: the same Django permissions, per action.

A view declares ``permissions_by_action``: action (``list``, ``create``, ``book``...) ->
the permissions of which the user must hold one, as the page of the same action requires
(``RoleRequiredMixin.permission_required``; the Peg Trace accepts any one of
``TRACE_PERMISSIONS``). An action a view does not declare is refused to everyone.
"""

from rest_framework.permissions import BasePermission


class HoldsRolePermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        required = view.permissions_by_action.get(view.action, ())
        return any(user.has_perm(permission) for permission in required)
