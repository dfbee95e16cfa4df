"""Receipts against purchase order lines; each receipt line reserves for the pegged SO line."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from b2b_portal.fields import QuantityField
from b2b_portal.history_records import LeanHistoricalRecords
from b2b_portal.models import BusinessDocument, TimeStampedModel


class Receipt(BusinessDocument):
    number_prefix = "RCV"

    purchase_order = models.ForeignKey(
        "procurement.PurchaseOrder", on_delete=models.PROTECT, related_name="receipts"
    )
    warehouse = models.ForeignKey("catalog.Warehouse", on_delete=models.PROTECT)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    received_at = models.DateTimeField()
    packing_slip = models.CharField(max_length=60, blank=True)
    # What the lines add up to, for the list page (no sum over every listed receipt's
    # lines): written with the receipt, whose lines never change (``receiving.totals``).
    # Derived, so out of history: the lines keep theirs.
    line_count = models.PositiveIntegerField(default=0, editable=False)
    total_quantity = QuantityField(max_digits=18, editable=False)
    history = LeanHistoricalRecords(excluded_fields=["line_count", "total_quantity"])

    class Meta:
        ordering = ["-id"]

    def get_absolute_url(self):
        return reverse("receiving:receipt_detail", args=[self.pk])


class ReceiptLine(TimeStampedModel):
    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="lines")
    purchase_order_line = models.ForeignKey(
        "procurement.PurchaseOrderLine", on_delete=models.PROTECT, related_name="receipt_lines"
    )
    # Empty when the PO line was unpegged (its demand cancelled): the goods went to stock.
    sales_order_line = models.ForeignKey(
        "orders.SalesOrderLine",
        on_delete=models.PROTECT,
        related_name="receipt_lines",
        null=True,
        blank=True,
    )
    quantity = QuantityField()
    reserved_quantity = QuantityField()
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["receipt_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="receipt_line_qty_positive"),
        ]

    def __str__(self):
        return f"{self.receipt.number}: {self.quantity} on {self.purchase_order_line}"
