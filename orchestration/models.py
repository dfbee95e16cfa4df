"""Exceptions that need a person's decision after a change to an order or its supply.

Some exceptions live on their source document and are listed from there by the
Exceptions work area (a supply order in Exception, an AP invoice hold, a late PO line):
that document's own action resolves them. The ones below have no such document: a
cancelled demand whose supply the supplier still holds, a PO change to tell the supplier,
surplus stock left by a decrease.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition

from b2b_portal.fields import QuantityField
from b2b_portal.history_records import LeanHistoricalRecords
from b2b_portal.models import BusinessDocument, ConcurrentTransitions


class ExceptionKind(models.TextChoices):
    SUPPLIER_CANCELLATION = "SUPPLIER_CANCELLATION", "Supplier cancellation needed"
    SUPPLIER_CHANGE = "SUPPLIER_CHANGE", "PO change to send to the supplier"
    SURPLUS_STOCK = "SURPLUS_STOCK", "Surplus stock"


# Who decides each kind, by role (a Django group of that name).
OWNER_ROLE = {
    ExceptionKind.SUPPLIER_CANCELLATION: "Buyer",
    ExceptionKind.SUPPLIER_CHANGE: "Buyer",
    ExceptionKind.SURPLUS_STOCK: "Buyer",
}


class Resolution(models.TextChoices):
    CANCELLED_WITH_SUPPLIER = "CANCELLED_WITH_SUPPLIER", "Cancelled with the supplier"
    KEPT_AS_STOCK = "KEPT_AS_STOCK", "Kept as stock"
    ACKNOWLEDGED = "ACKNOWLEDGED", "Acknowledged"


class ExceptionStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    RESOLVED = "RESOLVED", "Resolved"


class BusinessException(ConcurrentTransitions, BusinessDocument):
    number_prefix = "EXC"

    kind = models.CharField(max_length=30, choices=ExceptionKind.choices, db_index=True)
    status = FSMField(
        choices=ExceptionStatus.choices,
        default=ExceptionStatus.OPEN,
        protected=True,
        db_index=True,
    )
    message = models.CharField(max_length=300)
    quantity = QuantityField()
    sales_order_line = models.ForeignKey(
        "orders.SalesOrderLine", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purchase_order_line = models.ForeignKey(
        "procurement.PurchaseOrderLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exceptions",
    )
    resolution = models.CharField(max_length=30, choices=Resolution.choices, blank=True)
    resolution_reason = models.CharField(max_length=240, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # One open exception of a kind per PO line: a daily run never raises it twice.
            models.UniqueConstraint(
                fields=["kind", "purchase_order_line"],
                condition=Q(status="OPEN"),
                name="one_open_exception_per_kind_and_po_line",
            ),
        ]

    @property
    def owner_role(self) -> str:
        return OWNER_ROLE[self.kind]

    @transition(field=status, source=ExceptionStatus.OPEN, target=ExceptionStatus.RESOLVED)
    def resolve(self, *, resolution: str, reason_text: str, by, when):
        self.resolution = resolution
        self.resolution_reason = reason_text
        self.resolved_by = by
        self.resolved_at = when
