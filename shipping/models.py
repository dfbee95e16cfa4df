"""Pick waves, shipments and ship confirm."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import FSMField, transition

from b2b_portal.fields import QuantityField
from b2b_portal.history_records import LeanHistoricalRecords
from b2b_portal.models import BusinessDocument, ConcurrentTransitions, TimeStampedModel


class PickWave(BusinessDocument):
    number_prefix = "WAVE"

    warehouse = models.ForeignKey("catalog.Warehouse", on_delete=models.PROTECT)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["-id"]

    def get_absolute_url(self):
        return reverse("shipping:wave_detail", args=[self.pk])


class ShipmentStatus(models.TextChoices):
    """A shipment's status, and each of its lines' (a line follows its shipment)."""

    RELEASED = "RELEASED", "Released"
    SHIPPED = "SHIPPED", "Shipped"
    UNRELEASED = "UNRELEASED", "Un-released"
    REVERSED = "REVERSED", "Reversed"


# A shipment line that still holds its sales order line: released to pick, or shipped.
LIVE_SHIPMENT_STATUSES = [ShipmentStatus.RELEASED, ShipmentStatus.SHIPPED]


class Shipment(ConcurrentTransitions, BusinessDocument):
    number_prefix = "SHP"

    pick_wave = models.ForeignKey(PickWave, on_delete=models.PROTECT, related_name="shipments")
    customer = models.ForeignKey("catalog.Customer", on_delete=models.PROTECT)
    warehouse = models.ForeignKey("catalog.Warehouse", on_delete=models.PROTECT)
    status = FSMField(
        choices=ShipmentStatus.choices,
        default=ShipmentStatus.RELEASED,
        protected=True,
        db_index=True,
    )
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    shipped_at = models.DateTimeField(null=True, blank=True)
    waybill = models.CharField(max_length=60, blank=True)
    # Who un-released or reversed the shipment, and why (also in its history).
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)
    correction_reason = models.CharField(max_length=240, blank=True)
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["-id"]
        permissions = [("confirm_shipment", "Can ship confirm shipments")]

    def get_absolute_url(self):
        return reverse("shipping:shipment_detail", args=[self.pk])

    @transition(field=status, source=ShipmentStatus.RELEASED, target=ShipmentStatus.SHIPPED)
    def ship_confirm(self, by, when, waybill: str = ""):
        self.shipped_by = by
        self.shipped_at = when
        self.waybill = waybill

    @transition(field=status, source=ShipmentStatus.RELEASED, target=ShipmentStatus.UNRELEASED)
    def unrelease(self, by, when, why: str):
        """Released by mistake: its lines go back to waiting for a pick release."""
        self._correct(by, when, why)

    @transition(field=status, source=ShipmentStatus.SHIPPED, target=ShipmentStatus.REVERSED)
    def reverse(self, by, when, why: str):
        """Shipped by mistake and not yet invoiced: the goods are back on hand."""
        self._correct(by, when, why)

    def _correct(self, by, when, why: str) -> None:
        self.corrected_by = by
        self.corrected_at = when
        self.correction_reason = why


class ShipmentLineQuerySet(models.QuerySet):
    def live(self):
        """Lines still holding their sales order line (released or shipped)."""
        return self.filter(status__in=LIVE_SHIPMENT_STATUSES)


class ShipmentLine(ConcurrentTransitions, TimeStampedModel):
    """``quantity`` is what is to ship (what was released, until a partial ship confirm
    sets what shipped; ``released_quantity`` keeps what was released)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    sales_order_line = models.ForeignKey(
        "orders.SalesOrderLine", on_delete=models.PROTECT, related_name="shipment_lines"
    )
    quantity = QuantityField()
    released_quantity = QuantityField()
    status = FSMField(
        choices=ShipmentStatus.choices,
        default=ShipmentStatus.RELEASED,
        protected=True,
        db_index=True,
    )
    # A live first billing (an AR invoice line) bills the line: a copy kept by AutoInvoice
    # and AR invoice cancel, so that AutoInvoice walks the unbilled lines only (the index
    # below). The invoice lines stay the truth, and keep its history.
    is_billed = models.BooleanField(default=False, editable=False)
    history = LeanHistoricalRecords(excluded_fields=["is_billed"])

    objects = ShipmentLineQuerySet.as_manager()

    class Meta:
        ordering = ["shipment_id", "id"]
        indexes = [
            models.Index(
                fields=["id"],
                condition=Q(status=ShipmentStatus.SHIPPED, is_billed=False),
                name="shipment_line_to_bill",
            ),
        ]
        constraints = [
            # A line is released once at a time: a second pick release finds nothing left
            # to release; after an un-release or a reversal it can be released again.
            models.UniqueConstraint(
                fields=["sales_order_line"],
                condition=Q(status__in=LIVE_SHIPMENT_STATUSES),
                name="one_shipment_line_per_so_line",
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_qty_positive"),
        ]

    def __str__(self):
        return f"{self.shipment.number}: {self.quantity} of {self.sales_order_line}"

    @transition(field=status, source=ShipmentStatus.RELEASED, target=ShipmentStatus.SHIPPED)
    def ship(self, quantity):
        """Ship confirm: ``quantity`` (at most what was released) leaves the warehouse."""
        self.quantity = quantity

    @transition(field=status, source=ShipmentStatus.RELEASED, target=ShipmentStatus.UNRELEASED)
    def unrelease(self):
        """Its shipment was un-released; the sales order line keeps its reservation."""

    @transition(field=status, source=ShipmentStatus.SHIPPED, target=ShipmentStatus.REVERSED)
    def reverse(self):
        """Its shipment was reversed; the goods are back and reserved for the line."""
