"""``{% po_collaboration purchase_order as collaboration %}``: what the supplier said on
a PO (acknowledgements, ship notices, invoices it entered), for the buyer's PO page, which
includes ``suppliers/_po_collaboration.html``. Three queries, whatever the PO; each line's
expected date is a column of the page's (paged) lines table."""

from django import template

from ..models import LineAcknowledgement, ShipNotice, SupplierInvoice

register = template.Library()


@register.simple_tag
def po_collaboration(purchase_order) -> dict:
    return {
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
