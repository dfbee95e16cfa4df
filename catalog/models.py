"""Master data: business units, items, customers, suppliers and warehouses."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from b2b_portal.fields import CurrencyField, MoneyField
from b2b_portal.history_records import LeanHistoricalRecords
from b2b_portal.models import TimeStampedModel


class TaxRateField(models.DecimalField):
    """A tax rate in percent (19.00 is 19 %)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("validators", [MinValueValidator(0), MaxValueValidator(100)])
        super().__init__(*args, **kwargs)


class PaymentTermsField(models.PositiveSmallIntegerField):
    """Net days: an invoice is due this many days after its date."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", 30)
        kwargs.setdefault("verbose_name", "payment terms (days)")
        kwargs.setdefault("validators", [MaxValueValidator(365)])
        super().__init__(*args, **kwargs)


class BusinessUnit(TimeStampedModel):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    currency_code = CurrencyField()
    address = models.TextField(blank=True, help_text="Printed on the unit's documents.")
    tax_rate = TaxRateField(
        default=0, help_text="Percent on sales and purchases unless the item has its own."
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="business_units", blank=True
    )
    po_approval_limit = MoneyField(
        "PO approval limit",
        default=None,
        null=True,
        blank=True,
        help_text="A purchase order whose total is above this (in the unit's currency) is "
        "approved by someone other than its buyer. Empty: no limit.",
    )
    history = LeanHistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


class Warehouse(TimeStampedModel):
    business_unit = models.ForeignKey(BusinessUnit, on_delete=models.PROTECT)
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    # Days between goods arriving and leaving (put-away, configuration, packing): part of
    # every line's scheduled ship date (orders.promising).
    processing_days = models.PositiveSmallIntegerField(default=0)
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


class Customer(TimeStampedModel):
    business_unit = models.ForeignKey(BusinessUnit, on_delete=models.PROTECT)
    number = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True, help_text="Bill-to and ship-to address.")
    payment_terms_days = PaymentTermsField()
    active = models.BooleanField(default=True)
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.number})"


class Supplier(TimeStampedModel):
    number = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True, help_text="Remit-to address.")
    payment_terms_days = PaymentTermsField()
    active = models.BooleanField(default=True)
    # AP price hold tolerance: invoice unit price may exceed the PO price by this percentage.
    price_tolerance_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Buys this supplier's items that have no buyer of their own.",
    )
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.number})"


class SupplierSite(TimeStampedModel):
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="sites")
    code = models.CharField(max_length=30)
    address = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    history = LeanHistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supplier", "code"], name="supplier_site_code_unique")
        ]

    def __str__(self):
        return f"{self.supplier.number}/{self.code}"


class Item(TimeStampedModel):
    """An item as Product Information Management defines it.

    A Back-to-Back line is bookable only when the item is ``back_to_back_enabled``
    (Order Management tab) and ``purchased`` and ``purchasable`` (Purchasing tab).
    """

    business_unit = models.ForeignKey(BusinessUnit, on_delete=models.PROTECT)
    number = models.CharField(max_length=40, unique=True)
    description = models.CharField(max_length=240)
    unit_of_measure = models.CharField(max_length=10, default="Ea")
    list_price = MoneyField()
    currency_code = CurrencyField()
    tax_rate = TaxRateField(
        null=True, blank=True, help_text="Percent; empty: the business unit's rate applies."
    )
    back_to_back_enabled = models.BooleanField("Back-to-Back enabled", default=False)
    purchased = models.BooleanField(default=False)
    purchasable = models.BooleanField(default=False)
    stocked = models.BooleanField(
        default=False, help_text="Held in inventory: lines reserve on-hand stock, not a supply."
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The buyer of this item's purchase orders (else the supplier's buyer).",
    )
    active = models.BooleanField(default=True)
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"{self.number} {self.description}"

    @property
    def is_back_to_back(self) -> bool:
        """Lines of this item are supplied by their own pegged purchase."""
        return self.back_to_back_enabled

    @property
    def is_stock_item(self) -> bool:
        """Lines of this item are served from on-hand (a Back-to-Back item never is)."""
        return self.stocked and not self.back_to_back_enabled

    def missing_back_to_back_attributes(self) -> list[str]:
        """Names of the attributes a Back-to-Back booking needs and this item lacks."""
        required = {
            "Back-to-Back Enabled": self.back_to_back_enabled,
            "Purchased": self.purchased,
            "Purchasable": self.purchasable,
        }
        return [name for name, present in required.items() if not present]
