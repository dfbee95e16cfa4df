"""Pick waves, shipments and ship confirm."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from b2b_portal.fields import QuantityField
from b2b_portal.models import BusinessDocument, TimeStampedModel


class PickWave(BusinessDocument):
    number_prefix = "WAVE"

    warehouse = models.ForeignKey("catalog.Warehouse", on_delete=models.PROTECT)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-id"]

    def get_absolute_url(self):
        return reverse("shipping:wave_detail", args=[self.pk])


class ShipmentStatus(models.TextChoices):
    RELEASED = "RELEASED", "Released"
    SHIPPED = "SHIPPED", "Shipped"


class Shipment(ConcurrentTransitionMixin, BusinessDocument):
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
    history = HistoricalRecords()

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


class ShipmentLine(TimeStampedModel):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    sales_order_line = models.ForeignKey(
        "orders.SalesOrderLine", on_delete=models.PROTECT, related_name="shipment_lines"
    )
    quantity = QuantityField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["shipment_id", "id"]
        constraints = [
            # A line is released once: a second pick release finds nothing left to release.
            models.UniqueConstraint(
                fields=["sales_order_line"], name="one_shipment_line_per_so_line"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_qty_positive"),
        ]

    def __str__(self):
        return f"{self.shipment.number}: {self.quantity} of {self.sales_order_line}"
