"""The supplier's own invoice: entered in the portal, it becomes a draft AP invoice
matched to the PO through ``invoicing.services.ap_invoice_create`` (the AP accountant
validates it as any other), and the portal keeps which supplier user entered it."""

from datetime import date

from django.db import transaction

from b2b_portal.permissions import lent
from b2b_portal.transitions import stamp_history
from invoicing.services import APLineInput, ap_invoice_create

from ..models import SupplierInvoice
from .scope import locked_purchase_order_of_supplier


@transaction.atomic
def supplier_invoice_create(
    *,
    actor,
    purchase_order,
    supplier_invoice_number: str,
    invoice_date: date,
    lines: list[APLineInput],
) -> SupplierInvoice:
    """Enter the supplier's invoice on its own approved PO."""
    purchase_order = locked_purchase_order_of_supplier(actor, purchase_order, "enter invoices")
    # AP entry, lent for this PO's unit only: the scoping above stands in for the role.
    with lent(
        actor,
        permissions={"invoicing.add_apinvoice"},
        business_unit_id=purchase_order.business_unit_id,
    ):
        ap_invoice = ap_invoice_create(
            actor=actor,
            purchase_order=purchase_order,
            supplier_invoice_number=supplier_invoice_number,
            invoice_date=invoice_date,
            lines=lines,
        )
    entry = SupplierInvoice(purchase_order=purchase_order, ap_invoice=ap_invoice, entered_by=actor)
    stamp_history(entry, actor=actor, reason="entered by the supplier")
    entry.save()
    return entry
