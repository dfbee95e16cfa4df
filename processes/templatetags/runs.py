"""A run's timeline and the operator's buttons, as blocks of their own for the run page
and the home page."""

from django import template

from ..registry import limit_in_words
from ..selectors import runs_waiting_on

register = template.Library()
register.filter("limit_in_words", limit_in_words)

EVENTS_SHOWN = 500
RUNS_WAITING_SHOWN = 10


@register.inclusion_tag("processes/_run_actions.html", takes_context=True)
def run_actions(context, run, next_url=""):
    """Retry, Retry failed lines and Cancel, to whoever may run the process."""
    user = context["request"].user
    return {
        "run": run,
        "may_act": user.has_perm("processes.view_processrun")
        and run.definition.may_be_run_by(user),
        "next_url": next_url,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("processes/_run_timeline.html")
def run_timeline(run):
    """Queued, sent, started, each chunk, stalled, retried, cancelled, finished: oldest first."""
    events = run.events.select_related("actor").order_by("at", "pk")
    return {
        "run": run,
        "events": events[:EVENTS_SHOWN],
        "event_count": run.events.count(),
        "shown": EVENTS_SHOWN,
    }


@register.inclusion_tag("processes/_runs_waiting.html", takes_context=True)
def runs_waiting(context):
    """Stalled and failed runs waiting on the user, with their buttons (home page)."""
    request = context["request"]
    if not request.user.has_perm("processes.view_processrun"):
        return {"runs": None}
    runs = runs_waiting_on(request.user)
    return {
        "runs": list(runs[:RUNS_WAITING_SHOWN]),
        "count": runs.count(),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
