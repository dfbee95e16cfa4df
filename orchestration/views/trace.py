"""The Peg Trace: the whole chain behind one sales order line."""

from django.views.generic import DetailView

from b2b_portal.links import viewable_url
from b2b_portal.web import RoleRequiredMixin, UnitScopedMixin
from orders.models import SalesOrderLine

from ..peg_trace import TRACE_PERMISSIONS, peg_trace


class PegTraceView(RoleRequiredMixin, UnitScopedMixin, DetailView):
    """The whole chain behind one sales order line.

    Open to a user of the line's business unit (another unit's line is a 404) who may view
    any document of the chain (every role may): the trace shows numbers, statuses,
    quantities, dates and users, never prices. A document is linked only for users who
    may view it, and its page checks again.
    """

    model = SalesOrderLine
    business_unit_path = "order__business_unit"
    template_name = "orchestration/peg_trace.html"
    context_object_name = "line"

    def has_permission(self):
        user = self.request.user
        return any(user.has_perm(permission) for permission in TRACE_PERMISSIONS)

    def get_queryset(self):
        return super().get_queryset().select_related("order__customer", "item")

    def get_context_data(self, **kwargs):
        trace = peg_trace(self.object)
        for _stage, entries in trace.stages:
            for entry in entries:
                entry.url = viewable_url(self.request.user, entry.document)
        return super().get_context_data(trace=trace, **kwargs)
