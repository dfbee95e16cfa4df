"""The one base class of every refusal a user or a process can act on.

Views turn an ``ApplicationError`` into a form or page message, the API into a 4xx
(``status_code``), a process run into a failed line. The message is written for a clerk.
"""


class ApplicationError(Exception):
    status_code = 400

    def __init__(self, message: str, *, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class TransitionRefused(ApplicationError):
    """The document is not in a status from which this action is allowed."""

    status_code = 409


class PermissionRefused(ApplicationError):
    """The acting user's role does not allow this action."""

    status_code = 403


class ValidationRefused(ApplicationError):
    """The input is wrong (quantity, price, document of another business unit...)."""


def require_reason(reason: str, what: str) -> str:
    """The reason a person gave for an action, trimmed, or a refusal asking for one."""
    if not reason.strip():
        raise ValidationRefused(f"Say why {what}.")
    return reason.strip()
