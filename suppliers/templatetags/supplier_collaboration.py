"""``{% po_collaboration purchase_order as collaboration %}``: what the supplier said on
a PO (when each open line is expected and how much is on the way, acknowledgements, ship
notices, invoices it entered), for the buyer's PO page, which includes
``suppliers/_po_collaboration.html``. Five queries, whatever the PO."""

from django import template

from b2b_portal.fields import ZERO
from procurement.models import POLineStatus
from procurement.services.jeopardy import supply_expected_dates

from ..models import LineAcknowledgement, ShipNotice, SupplierInvoice
from ..selectors import in_transit

register = template.Library()


@register.simple_tag
def po_collaboration(purchase_order) -> dict:
    return {
        "open_lines": _open_lines(purchase_order),
        "acknowledgements": LineAcknowledgement.objects.filter(purchase_order=purchase_order)
        .select_related("purchase_order_line", "acknowledged_by")
        .order_by("-pk"),
        "ship_notices": ShipNotice.objects.filter(purchase_order=purchase_order)
        .select_related("receipt", "sent_by")
        .order_by("-pk"),
        "invoices": SupplierInvoice.objects.filter(purchase_order=purchase_order)
        .select_related("ap_invoice", "entered_by")
        .order_by("-pk"),
    }


def _open_lines(purchase_order) -> list:
    """The PO's open lines, each with ``expected`` (its one expected date) and
    ``in_transit`` (on ship notices not received yet)."""
    lines = list(purchase_order.lines.filter(status=POLineStatus.OPEN))
    expected, transit = supply_expected_dates(lines), in_transit(lines)
    for line in lines:
        line.expected, line.in_transit = expected[line.pk], transit.get(line.pk, ZERO)
    return lines
