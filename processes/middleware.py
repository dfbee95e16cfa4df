"""Tells the user when a run their request queued could not reach the broker.

The run row is the outbox (``process_run_dispatch``): with Redis down the request still
succeeds (an order is booked) and the run waits Queued until the relay sends it. This says
so on the page that follows, instead of leaving the user to wonder why nothing moves.
"""

from contextvars import ContextVar

from django.contrib import messages

RUN_WAITS_FOR_BROKER = (
    "{process} is queued, but the background service is not reachable just now: "
    "it starts by itself when the service is back."
)

# The processes whose runs this request could not send; None outside a request (a worker,
# a command), where nobody reads it.
_runs_not_sent: ContextVar[list[str] | None] = ContextVar("runs_not_sent", default=None)


def note_run_not_sent(process_name: str) -> None:
    """Called by ``process_run_dispatch`` when the broker refused a run's task."""
    names = _runs_not_sent.get()
    if names is not None and process_name not in names:
        names.append(process_name)


class RunsWaitingForBrokerMiddleware:
    """After a request, one message per process whose run it could not send: no query, the
    dispatch itself says so. Placed after the message middleware, so the message rides the
    redirect that follows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        names: list[str] = []
        token = _runs_not_sent.set(names)
        try:
            response = self.get_response(request)
        finally:
            _runs_not_sent.reset(token)
        for process_name in names:
            messages.warning(request, RUN_WAITS_FOR_BROKER.format(process=process_name))
        return response
