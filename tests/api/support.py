"""Helpers of the API tests: every role against one endpoint."""

from b2b_portal.roles import ROLES
from tests.helpers import snapshot

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


def walk_action(api_as, allowed: set, documents: dict, *, fallback, url, done_status) -> None:
    """POST ``url(document)`` as every role, each allowed role on its own document of
    ``documents`` (username -> document), the others on ``fallback``: 200 and the document
    in ``done_status`` for the allowed, 403 and nothing changed for the others."""

    def act(client, username):
        document = documents.get(username, fallback)
        before = snapshot()
        response = client.post(url(document), format="json")
        document.refresh_from_db()
        if response.status_code == 200:
            assert document.status == done_status, username
        else:
            assert snapshot() == before, username
        return response.status_code

    walk(api_as, allowed, 200, act)
