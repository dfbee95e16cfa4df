"""A document's stored totals against what its lines add up to, summed here in Python
(the models' own ``amount``): each writer's test compares the columns with these, amounts
and counts, after the service ran."""

from decimal import Decimal

from invoicing.models import APInvoice, APInvoiceLine
from procurement.models import PurchaseOrder, PurchaseOrderLine
from receiving.models import Receipt, ReceiptLine


def po_totals(purchase_order) -> tuple[Decimal, int]:
    """(lines_total, line_count) as stored for ``purchase_order``, checked against its
    live lines."""
    stored = PurchaseOrder.objects.values_list("lines_total", "line_count").get(
        pk=purchase_order.pk
    )
    live = [
        line
        for line in PurchaseOrderLine.objects.filter(purchase_order=purchase_order.pk)
        if line.is_live
    ]
    assert stored == (sum((line.amount for line in live), Decimal(0)), len(live))
    return stored


def ap_invoice_total(invoice) -> Decimal:
    """``lines_total`` as stored for ``invoice``, checked against its lines."""
    stored = APInvoice.objects.values_list("lines_total", flat=True).get(pk=invoice.pk)
    lines = APInvoiceLine.objects.filter(invoice=invoice.pk)
    assert stored == sum((line.amount for line in lines), Decimal(0))
    return stored


def receipt_totals(receipt) -> tuple[int, Decimal]:
    """(line_count, total_quantity) as stored for ``receipt``, checked against its lines."""
    stored = Receipt.objects.values_list("line_count", "total_quantity").get(pk=receipt.pk)
    quantities = list(ReceiptLine.objects.filter(receipt=receipt.pk).values_list("quantity"))
    assert stored == (len(quantities), sum((quantity for (quantity,) in quantities), Decimal(0)))
    return stored
