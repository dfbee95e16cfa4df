"""Tells the user when a run their request queued could not reach the broker.

The run row is the outbox (``process_run_dispatch``): with Redis down the request still
succeeds (an order is booked) and the run waits Queued until the relay sends it. This says
so on the page that follows, instead of leaving the user to wonder why nothing moves.
"""

from django.contrib import messages
from django.utils import timezone

from .models import ProcessRun, RunStatus
from .registry import PROCESSES

RUN_WAITS_FOR_BROKER = (
    "{process} is queued, but the background service is not reachable just now: "
    "it starts by itself when the service is back."
)


class RunsWaitingForBrokerMiddleware:
    """After a POST, one message per process whose run it queued is still unsent. Placed
    after the message middleware, so the message rides the redirect that follows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        began = timezone.now()
        response = self.get_response(request)
        if request.method == "POST" and request.user.is_authenticated:
            waiting = (
                ProcessRun.objects.filter(
                    requested_by=request.user,
                    queued_at__gte=began,
                    status=RunStatus.QUEUED,
                    dispatched_at__isnull=True,
                )
                .values_list("process", flat=True)
                .distinct()
            )
            for process in waiting:
                messages.warning(
                    request, RUN_WAITS_FOR_BROKER.format(process=PROCESSES[process].name)
                )
        return response
