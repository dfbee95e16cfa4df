"""Payables (AP invoices matched to PO lines and receipts, with holds) and Receivables
(AR invoices made by AutoInvoice from shipped lines)."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import cached_property
from django_fsm import FSMField, transition

from b2b_portal.fields import CurrencyField, MoneyField, QuantityField, round_money
from b2b_portal.history_records import LeanHistoricalRecords
from b2b_portal.models import BusinessDocument, ConcurrentTransitions, TimeStampedModel
from catalog.models import PaymentTermsField, TaxRateField

from .tax import TaxSummary, tax_summary


class InvoiceAmounts:
    """What an AP and an AR invoice both derive from their lines and terms: the net total,
    the due date and the tax at each line's stored rate (``invoicing.tax``)."""

    @property
    def total_amount(self):
        return sum((line.amount for line in self.lines.all()), start=0)

    @property
    def due_date(self) -> date:
        return self.invoice_date + timedelta(days=self.payment_terms_days)

    @cached_property
    def tax(self) -> TaxSummary:
        return tax_summary((line.amount, line.tax_rate) for line in self.lines.all())


class APStatus(models.TextChoices):
    DRAFT = "DRAFT", "Draft"
    VALIDATED = "VALIDATED", "Validated"
    ON_HOLD = "ON_HOLD", "On Hold"
    PAID = "PAID", "Paid"
    CANCELLED = "CANCELLED", "Cancelled"


class APInvoice(InvoiceAmounts, ConcurrentTransitions, BusinessDocument):
    number_prefix = "AP"

    supplier = models.ForeignKey("catalog.Supplier", on_delete=models.PROTECT)
    purchase_order = models.ForeignKey(
        "procurement.PurchaseOrder", on_delete=models.PROTECT, related_name="ap_invoices"
    )
    supplier_invoice_number = models.CharField(max_length=60)
    invoice_date = models.DateField()
    # The supplier's terms when the invoice was entered.
    payment_terms_days = PaymentTermsField()
    currency_code = CurrencyField()
    status = FSMField(
        choices=APStatus.choices, default=APStatus.DRAFT, protected=True, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=240, blank=True)
    # What the lines add up to, kept by ``invoicing.totals`` for the list page (no sum over
    # every listed invoice's lines). Derived, so out of history: the lines keep theirs.
    lines_total = MoneyField(max_digits=18, editable=False)
    history = LeanHistoricalRecords(excluded_fields=["lines_total"])

    class Meta:
        verbose_name = "AP invoice"
        verbose_name_plural = "AP invoices"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "supplier_invoice_number"],
                condition=~Q(status="CANCELLED"),
                name="ap_supplier_invoice_number_unique",
            ),
        ]
        permissions = [
            ("validate_apinvoice", "Can validate AP invoices"),
            ("release_hold", "Can release AP invoice holds"),
            ("pay_apinvoice", "Can pay AP invoices"),
        ]

    def get_absolute_url(self):
        return reverse("invoicing:ap_detail", args=[self.pk])

    def has_open_holds(self) -> bool:
        return self.holds.filter(released_at__isnull=True).exists()

    # Matching decides between the two from the holds it places (invoicing.services).
    @transition(field=status, source=[APStatus.DRAFT, APStatus.ON_HOLD], target=APStatus.VALIDATED)
    def validate(self, when):
        self.validated_at = when

    @transition(field=status, source=[APStatus.DRAFT, APStatus.ON_HOLD], target=APStatus.ON_HOLD)
    def place_on_hold(self):
        pass

    @transition(field=status, source=APStatus.VALIDATED, target=APStatus.PAID)
    def pay(self, when):
        self.paid_at = when

    @transition(field=status, source=[APStatus.DRAFT, APStatus.ON_HOLD], target=APStatus.CANCELLED)
    def cancel(self, reason_text):
        self.cancel_reason = reason_text


class APInvoiceLine(TimeStampedModel):
    invoice = models.ForeignKey(APInvoice, on_delete=models.CASCADE, related_name="lines")
    purchase_order_line = models.ForeignKey(
        "procurement.PurchaseOrderLine", on_delete=models.PROTECT, related_name="ap_invoice_lines"
    )
    quantity = QuantityField()
    unit_price = MoneyField()
    # The rate in force when the line was entered (invoicing.tax).
    tax_rate = TaxRateField()
    history = LeanHistoricalRecords(lookups=("invoice",))

    class Meta:
        verbose_name = "AP invoice line"
        verbose_name_plural = "AP invoice lines"
        ordering = ["invoice_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="ap_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.invoice.number}: {self.quantity} x {self.unit_price}"

    @property
    def amount(self):
        return round_money(self.quantity * self.unit_price)


class HoldReason(models.TextChoices):
    QUANTITY_BILLED_OVER_RECEIVED = "QTY_REC", "Quantity billed exceeds quantity received"
    PRICE_OVER_PO = "PRICE", "Invoice price exceeds PO price beyond tolerance"


class APInvoiceHold(TimeStampedModel):
    invoice = models.ForeignKey(APInvoice, on_delete=models.CASCADE, related_name="holds")
    invoice_line = models.ForeignKey(
        APInvoiceLine, on_delete=models.CASCADE, related_name="holds", null=True, blank=True
    )
    reason = models.CharField(max_length=10, choices=HoldReason.choices)
    message = models.CharField(max_length=240)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    release_reason = models.CharField(max_length=240, blank=True)
    # False for a hold a user waived: validation never places it again.
    released_by_validation = models.BooleanField(default=False)
    history = LeanHistoricalRecords()

    class Meta:
        verbose_name = "AP invoice hold"
        verbose_name_plural = "AP invoice holds"
        ordering = ["invoice_id", "id"]
        constraints = [
            # Validation run twice never places the same hold twice.
            models.UniqueConstraint(
                fields=["invoice_line", "reason"],
                condition=Q(released_at__isnull=True),
                name="one_open_hold_per_line_and_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} on {self.invoice.number}"

    def can_be_released_by_hand(self) -> bool:
        """A quantity hold cannot be waived: it clears by validation once the goods are
        received."""
        return self.reason != HoldReason.QUANTITY_BILLED_OVER_RECEIVED


class ARStatus(models.TextChoices):
    DRAFT = "DRAFT", "Draft"
    COMPLETE = "COMPLETE", "Complete"
    CANCELLED = "CANCELLED", "Cancelled"


class ARInvoice(InvoiceAmounts, ConcurrentTransitions, BusinessDocument):
    number_prefix = "AR"

    customer = models.ForeignKey("catalog.Customer", on_delete=models.PROTECT)
    sales_order = models.ForeignKey(
        "orders.SalesOrder", on_delete=models.PROTECT, related_name="ar_invoices"
    )
    invoice_date = models.DateField()
    # The customer's terms when AutoInvoice made the invoice.
    payment_terms_days = PaymentTermsField()
    currency_code = CurrencyField()
    # Indexed for the list's status filter alone: no LIKE on a status, no filter on the
    # creation time or the completer, and AutoInvoice inserts 10,000 invoices a night.
    created_at = models.DateTimeField(auto_now_add=True)
    status = FSMField(choices=ARStatus.choices, default=ARStatus.DRAFT, protected=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=240, blank=True)
    history = LeanHistoricalRecords()

    class Meta:
        verbose_name = "AR invoice"
        verbose_name_plural = "AR invoices"
        ordering = ["-id"]
        indexes = [models.Index(fields=["status"], name="ar_invoice_status")]
        permissions = [
            ("complete_arinvoice", "Can complete AR invoices"),
            ("run_autoinvoice", "Can run Import AutoInvoice"),
        ]

    def get_absolute_url(self):
        return reverse("invoicing:ar_detail", args=[self.pk])

    @transition(field=status, source=ARStatus.DRAFT, target=ARStatus.COMPLETE)
    def complete(self, by, when):
        self.completed_by = by
        self.completed_at = when

    @transition(field=status, source=ARStatus.DRAFT, target=ARStatus.CANCELLED)
    def cancel(self, reason_text):
        """A draft the customer never received: its lines are billed again by AutoInvoice."""
        self.cancel_reason = reason_text


class ARInvoiceLineQuerySet(models.QuerySet):
    def still_billing(self):
        """Lines that still bill their shipment line: not cancelled and not wholly
        credited by quantity (shipping reverses a shipment only when none is left)."""
        credited = Coalesce(
            Sum("credit_lines__quantity"), Value(0), output_field=models.DecimalField()
        )
        return (
            self.filter(is_cancelled=False)
            .annotate(credited_quantity=credited)
            .filter(credited_quantity__lt=F("quantity"))
        )


class ARInvoiceLine(TimeStampedModel):
    invoice = models.ForeignKey(ARInvoice, on_delete=models.CASCADE, related_name="lines")
    shipment_line = models.ForeignKey(
        "shipping.ShipmentLine", on_delete=models.PROTECT, related_name="ar_invoice_lines"
    )
    sales_order_line = models.ForeignKey(
        "orders.SalesOrderLine", on_delete=models.PROTECT, related_name="ar_invoice_lines"
    )
    quantity = QuantityField()
    unit_price = MoneyField()
    # The rate in force when AutoInvoice made the line (invoicing.tax).
    tax_rate = TaxRateField()
    objects = ARInvoiceLineQuerySet.as_manager()
    # Set with the invoice's cancellation: the line no longer bills its shipment line.
    is_cancelled = models.BooleanField(default=False)
    # The credit memo line whose quantity this line bills again (None: the first billing).
    reinvoice_of = models.ForeignKey(
        "ARCreditMemoLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reinvoice_lines",
    )
    history = LeanHistoricalRecords()

    class Meta:
        verbose_name = "AR invoice line"
        verbose_name_plural = "AR invoice lines"
        ordering = ["invoice_id", "id"]
        constraints = [
            # AutoInvoice bills a shipment line once, and a credited quantity to re-invoice
            # once: two runs at once meet here (the last guard of "exactly once").
            models.UniqueConstraint(
                fields=["shipment_line"],
                condition=Q(is_cancelled=False, reinvoice_of__isnull=True),
                name="one_live_ar_line_per_shipment_line",
            ),
            models.UniqueConstraint(
                fields=["reinvoice_of"],
                condition=Q(is_cancelled=False, reinvoice_of__isnull=False),
                name="one_live_reinvoice_per_credit_line",
            ),
        ]

    def __str__(self):
        return f"{self.invoice.number}: {self.quantity} x {self.unit_price}"

    @property
    def amount(self):
        return round_money(self.quantity * self.unit_price)


class CreditDisposition(models.TextChoices):
    REINVOICE = "REINVOICE", "Re-invoice the credited quantity"
    CLOSE = "CLOSE", "Close the line (nothing more to bill)"


class ARCreditMemo(BusinessDocument):
    """A credit to the customer against a Complete AR invoice; issued as it is made."""

    number_prefix = "CM"

    invoice = models.ForeignKey(ARInvoice, on_delete=models.PROTECT, related_name="credit_memos")
    customer = models.ForeignKey("catalog.Customer", on_delete=models.PROTECT)
    memo_date = models.DateField()
    currency_code = CurrencyField()
    reason = models.CharField(max_length=240)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = LeanHistoricalRecords()

    class Meta:
        verbose_name = "AR credit memo"
        verbose_name_plural = "AR credit memos"
        ordering = ["-id"]

    def get_absolute_url(self):
        return reverse("invoicing:credit_memo_detail", args=[self.pk])

    @property
    def total_amount(self):
        return sum((line.amount for line in self.lines.all()), start=0)

    @cached_property
    def tax(self) -> TaxSummary:
        """Credited at the rate the invoice line charged."""
        return tax_summary((line.amount, line.invoice_line.tax_rate) for line in self.lines.all())


class ARCreditMemoLine(TimeStampedModel):
    """Credits a quantity (at the invoice price) and/or an amount of one invoice line."""

    memo = models.ForeignKey(ARCreditMemo, on_delete=models.CASCADE, related_name="lines")
    invoice_line = models.ForeignKey(
        ARInvoiceLine, on_delete=models.PROTECT, related_name="credit_lines"
    )
    quantity = QuantityField()
    amount = MoneyField()
    disposition = models.CharField(max_length=10, choices=CreditDisposition.choices)
    history = LeanHistoricalRecords()

    class Meta:
        verbose_name = "AR credit memo line"
        verbose_name_plural = "AR credit memo lines"
        ordering = ["memo_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_line_amount_positive"),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="credit_line_quantity_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(disposition="REINVOICE") | Q(quantity__gt=0),
                name="credit_line_reinvoice_has_quantity",
            ),
        ]

    def __str__(self):
        return f"{self.memo.number}: {self.quantity} / {self.amount}"


class DebitMemoKind(models.TextChoices):
    RETURN_TO_VENDOR = "RTV", "Return to vendor"
    PRICE_DISPUTE = "PRICE", "Price dispute"


class APDebitMemo(BusinessDocument):
    """What the supplier owes us back (goods returned, a price disputed); issued as made."""

    number_prefix = "DM"

    supplier = models.ForeignKey("catalog.Supplier", on_delete=models.PROTECT)
    purchase_order = models.ForeignKey(
        "procurement.PurchaseOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="debit_memos",
    )
    kind = models.CharField(max_length=5, choices=DebitMemoKind.choices)
    memo_date = models.DateField()
    currency_code = CurrencyField()
    amount = MoneyField()
    reason = models.CharField(max_length=240)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = LeanHistoricalRecords()

    class Meta:
        verbose_name = "AP debit memo"
        verbose_name_plural = "AP debit memos"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="debit_memo_amount_positive"),
        ]

    def get_absolute_url(self):
        return reverse("invoicing:debit_memo_detail", args=[self.pk])
