"""On-hand balances, the inventory transactions that move them, and reservations.

On-hand always equals the sum of the item's transactions in the warehouse; a reservation
holds on-hand for exactly one sales order line and nobody else.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from b2b_portal.fields import QuantityField
from b2b_portal.history_records import LeanHistoricalRecords
from b2b_portal.models import TimeStampedModel


class OnHandBalance(TimeStampedModel):
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT)
    warehouse = models.ForeignKey("catalog.Warehouse", on_delete=models.PROTECT)
    quantity = QuantityField()
    reserved_quantity = QuantityField()
    history = LeanHistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "warehouse"], name="onhand_item_warehouse"),
            models.CheckConstraint(
                condition=Q(reserved_quantity__lte=models.F("quantity")),
                name="onhand_reserved_within_onhand",
            ),
        ]

    def __str__(self):
        return f"{self.item.number} @ {self.warehouse.code}: {self.quantity}"

    @property
    def available_quantity(self):
        return self.quantity - self.reserved_quantity


class TransactionType(models.TextChoices):
    PO_RECEIPT = "PO_RECEIPT", "PO receipt"
    SALES_ISSUE = "SALES_ISSUE", "Sales order issue"
    ADJUSTMENT = "ADJUSTMENT", "Adjustment"
    SHIPMENT_REVERSAL = "SHIPMENT_REVERSAL", "Shipment reversal"


class InventoryTransaction(TimeStampedModel):
    """An immutable movement of stock; ``source_reference`` names the document behind it."""

    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT)
    warehouse = models.ForeignKey("catalog.Warehouse", on_delete=models.PROTECT)
    transaction_type = models.CharField(max_length=20, choices=TransactionType.choices)
    quantity = models.DecimalField(max_digits=14, decimal_places=3, help_text="Signed")
    source_reference = models.CharField(max_length=60)
    sales_order_line = models.ForeignKey(
        "orders.SalesOrderLine", on_delete=models.PROTECT, null=True, blank=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.get_transaction_type_display()} {self.quantity} {self.item.number}"


class Reservation(TimeStampedModel):
    """Stock held for one sales order line; ``quantity`` is what is still held."""

    sales_order_line = models.OneToOneField(
        "orders.SalesOrderLine", on_delete=models.PROTECT, related_name="reservation"
    )
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT)
    warehouse = models.ForeignKey("catalog.Warehouse", on_delete=models.PROTECT)
    quantity = QuantityField()
    history = LeanHistoricalRecords()

    def __str__(self):
        return f"{self.quantity} {self.item.number} for {self.sales_order_line}"
