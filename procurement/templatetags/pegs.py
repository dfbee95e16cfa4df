"""``{% peg so_line %}``: the cell of a supply row that names its pegged sales order line
(its order, linked for those who may view orders, and its Peg Trace); or, once its demand
was cancelled, that it now arrives as stock.

Pages of many rows build the cell in their view with ``PegLinks.cell`` (issue 13: the
template include that did it cost two ``reverse()`` and a permission look-up per row)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from b2b_portal.row_urls import url_for_each
from orders.models import SalesOrder

register = template.Library()

UNPEGGED = mark_safe(
    '<span class="text-muted">Unpegged: its order line was cancelled; arrives as stock</span>'
)


class PegLinks:
    """The peg cells of one request's rows: the URLs reversed once, the permission read once."""

    def __init__(self, user):
        may_view_orders = user.has_perm("orders.view_salesorder")
        self.order_url = url_for_each("orders:detail") if may_view_orders else None
        self.trace_url = url_for_each("orchestration:peg_trace")

    def cell(self, so_line_id, line_number, order_id):
        """The cell of a row pegged to sales order line ``so_line_id`` (None: unpegged)."""
        if so_line_id is None:
            return UNPEGGED
        order = order_number = SalesOrder.number_of(order_id)
        if self.order_url is not None:
            order = format_html('<a href="{}">{}</a>', self.order_url(order_id), order_number)
        return format_html(
            '{} line {}\n<a class="ms-1 small" href="{}" aria-label="Peg Trace for {} line {}">'
            "Peg Trace</a>",
            order,
            line_number,
            self.trace_url(so_line_id),
            order_number,
            line_number,
        )


@register.simple_tag(takes_context=True)
def peg(context, so_line):
    """The cell of ``so_line`` (a sales order line, or None)."""
    links = context.render_context.get(PegLinks)
    if links is None:
        links = context.render_context[PegLinks] = PegLinks(context.request.user)
    if so_line is None:
        return UNPEGGED
    return links.cell(so_line.pk, so_line.line_number, so_line.order_id)
