"""Sourcing rules, supply orders, requisitions and purchase orders: the supply side of the peg.

``PurchaseOrderLine.sales_order_line`` is the hard peg: a database constraint allows at most
one live (not cancelled) PO line per sales order line. ``SupplyOrder`` is the orchestration
record that ties the demand to its requisition line and PO line and carries the supply status.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django_fsm import FSMField, transition

from b2b_portal.fields import CurrencyField, MoneyField, QuantityField, round_money
from b2b_portal.history_records import LeanHistoricalRecords
from b2b_portal.models import BusinessDocument, ConcurrentTransitions, TimeStampedModel


class SourcingRule(TimeStampedModel):
    """Where an item is bought. The lowest rank effective on the order date wins."""

    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey("catalog.Supplier", on_delete=models.PROTECT)
    supplier_site = models.ForeignKey("catalog.SupplierSite", on_delete=models.PROTECT)
    rank = models.PositiveSmallIntegerField(default=1)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    unit_cost = MoneyField()
    currency_code = CurrencyField()
    lead_time_days = models.PositiveSmallIntegerField(default=0)
    auto_create_po = models.BooleanField(
        "create POs automatically",
        default=True,
        help_text="AutoCreate may turn requisition lines from this rule into POs.",
    )
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["item_id", "rank", "effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="sourcing_rule_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.item.number} from {self.supplier.number} (rank {self.rank})"


class SupplyStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    REQUISITIONED = "REQUISITIONED", "Requisitioned"
    ORDERED = "ORDERED", "Ordered"
    RECEIVED = "RECEIVED", "Received"
    CANCELLED = "CANCELLED", "Cancelled"
    EXCEPTION = "EXCEPTION", "Exception"


class SupplyOrder(ConcurrentTransitions, BusinessDocument):
    number_prefix = "SUP"

    sales_order_line = models.ForeignKey(
        "orders.SalesOrderLine", on_delete=models.PROTECT, related_name="supply_orders"
    )
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey("catalog.Warehouse", on_delete=models.PROTECT)
    quantity = QuantityField()
    order_date = models.DateField(help_text="The sales order's date: sourcing rules apply on it.")
    need_by_date = models.DateField()
    status = FSMField(
        choices=SupplyStatus.choices, default=SupplyStatus.OPEN, protected=True, db_index=True
    )
    exception_reason = models.CharField(max_length=240, blank=True)
    # Its PO line or requisition line was cancelled and the buyer has not decided yet:
    # Generate Supply Orders leaves it alone (it would pick the same supplier again).
    awaits_buyer = models.BooleanField(default=False)
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["-id"]
        permissions = [("progress_salesorderline", "Can run Progress Order and supply processes")]
        constraints = [
            models.UniqueConstraint(
                fields=["sales_order_line"],
                condition=~Q(status="CANCELLED"),
                name="one_live_supply_order_per_so_line",
            ),
        ]

    def get_absolute_url(self):
        # A supply order has no page of its own: its order line's Peg Trace shows it.
        return reverse("orchestration:peg_trace", args=[self.sales_order_line_id])

    @transition(
        field=status,
        source=[SupplyStatus.OPEN, SupplyStatus.EXCEPTION],
        target=SupplyStatus.REQUISITIONED,
    )
    def requisition(self):
        self.exception_reason = ""
        self.awaits_buyer = False

    @transition(
        field=status,
        source=[SupplyStatus.REQUISITIONED, SupplyStatus.ORDERED],
        target=SupplyStatus.EXCEPTION,
    )
    def supply_lost(self, message: str):
        """Its requisition or PO line was cancelled: the buyer re-sources or cancels."""
        self.exception_reason = message
        self.awaits_buyer = True

    @transition(field=status, source=SupplyStatus.REQUISITIONED, target=SupplyStatus.OPEN)
    def reopen(self):
        """Its requisition line was cancelled: the next Generate Supply Orders sources it."""
        self.exception_reason = ""
        self.awaits_buyer = False

    @transition(
        field=status,
        source=[SupplyStatus.OPEN, SupplyStatus.EXCEPTION],
        target=SupplyStatus.EXCEPTION,
    )
    def flag_exception(self, message: str):
        self.exception_reason = message

    @transition(field=status, source=SupplyStatus.REQUISITIONED, target=SupplyStatus.ORDERED)
    def mark_ordered(self):
        pass

    @transition(field=status, source=SupplyStatus.ORDERED, target=SupplyStatus.RECEIVED)
    def mark_received(self):
        pass

    # Received supply is cancelled too when its demand is: the goods stay as ordinary stock.
    @transition(
        field=status,
        source=[
            SupplyStatus.OPEN,
            SupplyStatus.EXCEPTION,
            SupplyStatus.REQUISITIONED,
            SupplyStatus.ORDERED,
            SupplyStatus.RECEIVED,
        ],
        target=SupplyStatus.CANCELLED,
    )
    def cancel(self):
        pass


class Requisition(BusinessDocument):
    number_prefix = "REQ"

    preparer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    description = models.CharField(max_length=240, blank=True)
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["-id"]


class RequisitionStatus(models.TextChoices):
    APPROVED = "APPROVED", "Approved"
    ORDERED = "ORDERED", "Ordered"
    CANCELLED = "CANCELLED", "Cancelled"


class RequisitionLine(ConcurrentTransitions, TimeStampedModel):
    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="lines")
    supply_order = models.ForeignKey(
        SupplyOrder, on_delete=models.PROTECT, related_name="requisition_lines"
    )
    sales_order_line = models.ForeignKey(
        "orders.SalesOrderLine", on_delete=models.PROTECT, related_name="requisition_lines"
    )
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField()
    sourcing_rule = models.ForeignKey(SourcingRule, on_delete=models.PROTECT)
    supplier = models.ForeignKey("catalog.Supplier", on_delete=models.PROTECT)
    supplier_site = models.ForeignKey("catalog.SupplierSite", on_delete=models.PROTECT)
    unit_price = MoneyField()
    currency_code = CurrencyField()
    need_by_date = models.DateField()
    deliver_to_warehouse = models.ForeignKey("catalog.Warehouse", on_delete=models.PROTECT)
    status = FSMField(
        choices=RequisitionStatus.choices,
        default=RequisitionStatus.APPROVED,
        protected=True,
        db_index=True,
    )
    cancel_reason = models.CharField(max_length=240, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["requisition_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["supply_order"],
                condition=~Q(status="CANCELLED"),
                name="one_live_requisition_line_per_supply_order",
            ),
        ]
        indexes = [
            # Process Requisitions' default order: its first page is read from this small
            # index instead of sorting every Approved line (docs/benchmarks.md).
            models.Index(
                fields=["need_by_date", "-id"],
                condition=Q(status=RequisitionStatus.APPROVED),
                name="approved_req_line_need_by",
            ),
        ]

    def __str__(self):
        return f"{self.requisition.number} line {self.pk}"

    @property
    def business_unit_id(self):
        return self.requisition.business_unit_id

    @transition(field=status, source=RequisitionStatus.APPROVED, target=RequisitionStatus.ORDERED)
    def mark_ordered(self):
        pass

    @transition(
        field=status,
        source=[RequisitionStatus.APPROVED, RequisitionStatus.ORDERED],
        target=RequisitionStatus.CANCELLED,
    )
    def cancel(self, reason_text: str = "", by=None):
        self.cancel_reason = reason_text
        self.cancelled_by = by


class POStatus(models.TextChoices):
    DRAFT = "DRAFT", "Draft"
    PENDING_APPROVAL = "PENDING_APPROVAL", "Pending Approval"
    OPEN = "OPEN", "Open"
    CLOSED_FOR_RECEIVING = "CLOSED_FOR_RECEIVING", "Closed for Receiving"
    CLOSED = "CLOSED", "Closed"
    CANCELLED = "CANCELLED", "Cancelled"


class PurchaseOrder(ConcurrentTransitions, BusinessDocument):
    number_prefix = "PO"

    supplier = models.ForeignKey("catalog.Supplier", on_delete=models.PROTECT)
    supplier_site = models.ForeignKey("catalog.SupplierSite", on_delete=models.PROTECT)
    ship_to_warehouse = models.ForeignKey("catalog.Warehouse", on_delete=models.PROTECT)
    currency_code = CurrencyField()
    status = FSMField(
        choices=POStatus.choices, default=POStatus.DRAFT, protected=True, db_index=True
    )
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=240, blank=True)
    # Free text for the supplier, written by the buyer while the PO is Draft.
    supplier_note = models.CharField(max_length=1000, blank=True)
    # What the live lines add up to, kept by ``procurement.totals`` for the list page (no
    # sum over every listed PO's lines). Derived, so out of history: the lines keep theirs.
    lines_total = MoneyField(max_digits=18, editable=False)
    line_count = models.PositiveIntegerField(default=0, editable=False)
    history = LeanHistoricalRecords(excluded_fields=["lines_total", "line_count"])

    class Meta:
        ordering = ["-id"]
        permissions = [("approve_purchaseorder", "Can approve or reject purchase orders")]

    def get_absolute_url(self):
        return reverse("procurement:po_detail", args=[self.pk])

    @property
    def total_amount(self):
        return sum((line.amount for line in self.lines.all() if line.is_live), start=0)

    def has_live_lines(self) -> bool:
        return self.lines.exclude(status=POLineStatus.CANCELLED).exists()

    @transition(
        field=status,
        source=POStatus.DRAFT,
        target=POStatus.PENDING_APPROVAL,
        conditions=[has_live_lines],
    )
    def submit(self, when):
        self.submitted_at = when
        self.rejection_reason = ""

    @transition(field=status, source=POStatus.PENDING_APPROVAL, target=POStatus.OPEN)
    def approve(self, by, when):
        """Approved and communicated: the supplier now holds the order."""
        self.approved_by = by
        self.approved_at = when

    @transition(field=status, source=POStatus.PENDING_APPROVAL, target=POStatus.DRAFT)
    def reject(self, reason_text: str):
        self.rejection_reason = reason_text

    @transition(field=status, source=POStatus.OPEN, target=POStatus.CLOSED_FOR_RECEIVING)
    def close_for_receiving(self):
        pass

    @transition(field=status, source=POStatus.CLOSED_FOR_RECEIVING, target=POStatus.CLOSED)
    def close(self):
        pass

    # An open PO is cancelled only once the supplier agreed and nothing was received
    # (orchestration.services.exception_cancel_with_supplier checks the receipts).
    @transition(
        field=status,
        source=[POStatus.DRAFT, POStatus.PENDING_APPROVAL, POStatus.OPEN],
        target=POStatus.CANCELLED,
    )
    def cancel(self):
        pass


class POLineStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    CLOSED_FOR_RECEIVING = "CLOSED_FOR_RECEIVING", "Closed for Receiving"
    CLOSED = "CLOSED", "Closed"
    CANCELLED = "CANCELLED", "Cancelled"


class PurchaseOrderLine(ConcurrentTransitions, TimeStampedModel):
    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="lines"
    )
    line_number = models.PositiveIntegerField()
    requisition_line = models.ForeignKey(
        RequisitionLine, on_delete=models.PROTECT, related_name="purchase_order_lines"
    )
    # The hard peg: this line supplies exactly this sales order line and nothing else.
    # Empty once its demand is cancelled: what still arrives is ordinary stock.
    sales_order_line = models.ForeignKey(
        "orders.SalesOrderLine",
        on_delete=models.PROTECT,
        related_name="purchase_order_lines",
        null=True,
        blank=True,
    )
    unpegged_from = models.ForeignKey(
        "orders.SalesOrderLine",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="The cancelled sales order line this line was pegged to.",
    )
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField()
    unit_price = MoneyField()
    promised_date = models.DateField()
    # The supplier's latest word on when the goods arrive (an acknowledged date, a ship
    # notice's expected arrival; suppliers.expected): jeopardy reads it before the promise.
    expected_date = models.DateField(null=True, blank=True)
    received_quantity = QuantityField()
    billed_quantity = QuantityField()
    # Set by the daily Late Supply process; cleared by the receipt that completes the line.
    late_since = models.DateField(null=True, blank=True, db_index=True)
    status = FSMField(
        choices=POLineStatus.choices, default=POLineStatus.OPEN, protected=True, db_index=True
    )
    cancel_reason = models.CharField(max_length=240, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = LeanHistoricalRecords(lookups=("purchase_order",))

    class Meta:
        ordering = ["purchase_order_id", "line_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["sales_order_line"],
                condition=~Q(status="CANCELLED"),
                name="one_live_po_line_per_so_line",
            ),
            models.UniqueConstraint(
                fields=["requisition_line"],
                condition=~Q(status="CANCELLED"),
                name="one_live_po_line_per_requisition_line",
            ),
            models.UniqueConstraint(
                fields=["purchase_order", "line_number"], name="po_line_number_unique"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="po_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(received_quantity__lte=F("quantity")), name="po_line_received_within"
            ),
            models.CheckConstraint(
                condition=Q(billed_quantity__lte=F("received_quantity")),
                name="po_line_billed_within_received",
            ),
        ]

    def __str__(self):
        return f"{self.purchase_order.number} line {self.line_number}"

    @property
    def amount(self):
        return round_money(self.quantity * self.unit_price)

    @property
    def is_live(self) -> bool:
        return self.status != POLineStatus.CANCELLED

    @property
    def open_quantity(self):
        return self.quantity - self.received_quantity

    def is_fully_received(self) -> bool:
        return self.received_quantity >= self.quantity

    def has_no_receipts(self) -> bool:
        return self.received_quantity == 0

    def is_fully_billed(self) -> bool:
        return self.billed_quantity >= self.quantity

    @transition(
        field=status,
        source=POLineStatus.OPEN,
        target=POLineStatus.CLOSED_FOR_RECEIVING,
        conditions=[is_fully_received],
    )
    def close_for_receiving(self):
        pass

    @transition(
        field=status,
        source=POLineStatus.CLOSED_FOR_RECEIVING,
        target=POLineStatus.CLOSED,
        conditions=[is_fully_billed],
    )
    def close(self):
        """Received and matched to the supplier's invoices: nothing is left to do."""

    @transition(
        field=status,
        source=POLineStatus.OPEN,
        target=POLineStatus.CANCELLED,
        conditions=[has_no_receipts],
    )
    def cancel(self, reason_text: str = "", by=None):
        self.cancel_reason = reason_text
        self.cancelled_by = by
