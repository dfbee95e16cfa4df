"""Helpers of the API tests: every role against one endpoint."""

from b2b_portal.roles import ROLES

EVERY_ROLE = sorted(spec["username"] for spec in ROLES.values())


def walk(api_as, allowed: set, ok: int, request) -> None:
    """``request(client, username)`` -> status, for every role: ``ok`` for the allowed
    roles, 403 for the others."""
    wrong = {}
    for username in EVERY_ROLE:
        expected = ok if username in allowed else 403
        answered = request(api_as(username), username)
        if answered != expected:
            wrong[username] = (answered, expected)
    assert not wrong, f"role: (answered, expected) {wrong}"
