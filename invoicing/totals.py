"""An AP invoice's stored total (``lines_total``): what its lines add up to, each rounded
to the cent, written by every service that enters or adjusts AP invoice lines, so that the
list page reads a column instead of summing each listed invoice's lines.

A derived column, like ``ShipmentLine.is_billed``: written by one set-based UPDATE, out of
the invoice's history; ``orchestration.consistency.ap_invoice_totals_stored`` reports an
invoice whose column differs from its lines.
"""

from decimal import Decimal

from django.db.models import Sum, Value
from django.db.models.functions import Coalesce

from b2b_portal.queries import AMOUNT, any_of, line_amount, lines_aggregate

from .models import APInvoice, APInvoiceLine


def invoice_total(line_model):
    """Each invoice's total for ``annotate``: its line amounts, each rounded to the cent
    (an AR invoice's on its list, an AP invoice's stored total)."""
    return lines_aggregate(line_model, Sum(line_amount()), document="invoice")


def ap_invoice_totals() -> dict:
    """Each invoice's total as a query expression over its lines, by stored field."""
    summed = invoice_total(APInvoiceLine)
    return {"lines_total": Coalesce(summed, Value(Decimal(0)), output_field=AMOUNT)}


def ap_invoices_retotal(invoice_ids) -> None:
    """Store the totals of the invoices ``invoice_ids`` from their lines, in one UPDATE;
    inside the caller's transaction, after its lines are written."""
    APInvoice.objects.filter(pk__in=any_of(invoice_ids)).update(**ap_invoice_totals())
