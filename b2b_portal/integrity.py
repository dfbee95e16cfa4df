"""Unique constraints as refusals.

A unique constraint is the last guard against two people doing the same thing at once
(the same supplier invoice entered twice, two splits numbering a line alike). The service
that can hit one writes inside ``refused_on_conflict``: the violation rolls back only the
savepoint and comes back as the ``ApplicationError`` the service chose, with a message a
clerk can act on, instead of a server error.
"""

from contextlib import contextmanager

from django.db import IntegrityError, transaction

from .errors import ApplicationError


def violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint PostgreSQL reports as violated, if any."""
    diagnostics = getattr(error.__cause__, "diag", None)
    return getattr(diagnostics, "constraint_name", None)


@contextmanager
def refused_on_conflict(refusals: dict[str, ApplicationError]):
    """Run the block in a savepoint; a violation of a constraint named in ``refusals``
    raises that refusal, any other integrity error propagates unchanged."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        refusal = refusals.get(violated_constraint(error))
        if refusal is None:
            raise
        raise refusal from error
