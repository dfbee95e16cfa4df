"""Supplier collaboration: the supplier's own users, their acknowledgement of each PO line,
their advance ship notices and the invoices they enter (docs/supplier-collaboration.md).

A supplier user belongs to one supplier (``SupplierContact``) and sees that supplier's
approved POs in every business unit that buys from it; the unit membership that scopes
every other page does not apply to them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import FSMField, transition

from b2b_portal.fields import QuantityField
from b2b_portal.history_records import LeanHistoricalRecords
from b2b_portal.models import BusinessDocument, ConcurrentTransitions, TimeStampedModel
from procurement.models import PurchaseOrder


class SupplierContact(TimeStampedModel):
    """A portal user who works for one supplier (the Supplier role)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supplier_contact"
    )
    supplier = models.ForeignKey(
        "catalog.Supplier", on_delete=models.PROTECT, related_name="contacts"
    )
    history = LeanHistoricalRecords()

    class Meta:
        permissions = [("collaborate_supplier", "Can work on their supplier's purchase orders")]

    def __str__(self):
        return f"{self.user} for {self.supplier}"


class AcknowledgementKind(models.TextChoices):
    ACCEPTED = "ACCEPTED", "Accepted"
    NEW_DATE = "NEW_DATE", "Accepted with a new date"
    BACKORDER = "BACKORDER", "Part backordered"
    REJECTED = "REJECTED", "Rejected"


class LineAcknowledgement(TimeStampedModel):
    """The supplier's answer to one PO line. A line may be acknowledged again (a later
    date); the latest answer stands, the earlier ones stay as the record."""

    purchase_order = models.ForeignKey(
        "procurement.PurchaseOrder", on_delete=models.PROTECT, related_name="acknowledgements"
    )
    purchase_order_line = models.ForeignKey(
        "procurement.PurchaseOrderLine",
        on_delete=models.PROTECT,
        related_name="acknowledgements",
    )
    kind = models.CharField(max_length=12, choices=AcknowledgementKind.choices)
    promised_date = models.DateField(
        null=True, blank=True, help_text="The date the whole line will now arrive."
    )
    backordered_quantity = QuantityField(null=True, blank=True)
    reason = models.CharField(max_length=240, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["purchase_order_line_id", "-pk"]

    def __str__(self):
        return f"{self.purchase_order_line}: {self.get_kind_display()}"


class ShipNoticeStatus(models.TextChoices):
    SHIPPED = "SHIPPED", "Shipped"
    RECEIVED = "RECEIVED", "Received"


class ShipNotice(ConcurrentTransitions, BusinessDocument):
    """An advance ship notice (ASN): what the supplier shipped on one PO and when it will
    arrive. Receiving it prefills the receipt; the receipt it became is kept here."""

    number_prefix = "ASN"

    purchase_order = models.ForeignKey(
        "procurement.PurchaseOrder", on_delete=models.PROTECT, related_name="ship_notices"
    )
    ship_date = models.DateField()
    expected_arrival = models.DateField()
    carrier = models.CharField(max_length=80)
    tracking_number = models.CharField(max_length=80)
    status = FSMField(
        choices=ShipNoticeStatus.choices,
        default=ShipNoticeStatus.SHIPPED,
        protected=True,
        db_index=True,
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    receipt = models.OneToOneField(
        "receiving.Receipt",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ship_notice",
    )
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_arrival__gte=models.F("ship_date")),
                name="ship_notice_arrives_after_shipping",
            ),
        ]

    def get_absolute_url(self):
        return reverse("suppliers:ship_notice", args=[self.pk])

    @transition(field=status, source=ShipNoticeStatus.SHIPPED, target=ShipNoticeStatus.RECEIVED)
    def receive(self, receipt=None):
        """``receipt``: the one made from this notice; None when receipts on the PO itself
        covered its lines (suppliers.services.receipts)."""
        self.receipt = receipt


class ShipNoticeLine(TimeStampedModel):
    ship_notice = models.ForeignKey(ShipNotice, on_delete=models.CASCADE, related_name="lines")
    purchase_order_line = models.ForeignKey(
        "procurement.PurchaseOrderLine", on_delete=models.PROTECT, related_name="ship_notice_lines"
    )
    quantity = QuantityField()
    # What receipts brought of it: on the way is the rest, while the notice is Shipped.
    received_quantity = QuantityField()
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["ship_notice_id", "purchase_order_line_id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="ship_notice_line_positive"),
            models.CheckConstraint(
                condition=Q(received_quantity__lte=models.F("quantity")),
                name="ship_notice_line_received_within",
            ),
            models.UniqueConstraint(
                fields=["ship_notice", "purchase_order_line"], name="ship_notice_line_once"
            ),
        ]


class SupplierInvoice(TimeStampedModel):
    """An invoice the supplier entered in the portal: the draft AP invoice it became
    (``invoicing.services.payables.ap_invoice_create``) and who entered it."""

    purchase_order = models.ForeignKey(
        "procurement.PurchaseOrder", on_delete=models.PROTECT, related_name="supplier_invoices"
    )
    ap_invoice = models.OneToOneField(
        "invoicing.APInvoice", on_delete=models.PROTECT, related_name="supplier_entry"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["-pk"]

    def __str__(self):
        return f"{self.ap_invoice.supplier_invoice_number} ({self.ap_invoice})"


class SupplierPurchaseOrder(PurchaseOrder):
    """A PO as its supplier's user sees it: the same row, its page in the supplier portal."""

    class Meta:
        proxy = True
        verbose_name = "purchase order of a supplier"

    def get_absolute_url(self):
        return reverse("suppliers:po_detail", args=[self.pk])
