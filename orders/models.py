"""Sales orders and their lines; the line's status is a django-fsm state machine.

The header has no status column of its own: it is derived from its lines
(``SalesOrder.status``), so the two can never disagree.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django_fsm import FSMField, transition

from b2b_portal.fields import CurrencyField, MoneyField, QuantityField, round_money
from b2b_portal.history_records import LeanHistoricalRecords
from b2b_portal.models import BusinessDocument, ConcurrentTransitions, TimeStampedModel


class LineStatus(models.TextChoices):
    ENTERED = "ENTERED", "Entered"
    BOOKED = "BOOKED", "Booked"
    BACKORDERED = "BACKORDERED", "Backordered"
    AWAITING_SUPPLY = "AWAITING_SUPPLY", "Awaiting Supply"
    AWAITING_SHIPPING = "AWAITING_SHIPPING", "Awaiting Shipping"
    SHIPPED = "SHIPPED", "Shipped"
    BILLED = "BILLED", "Billed"
    CLOSED = "CLOSED", "Closed"
    CANCELLED = "CANCELLED", "Cancelled"


# Pipeline order of the live statuses: the header shows the least advanced live line.
PIPELINE = [
    LineStatus.ENTERED,
    LineStatus.BOOKED,
    LineStatus.BACKORDERED,
    LineStatus.AWAITING_SUPPLY,
    LineStatus.AWAITING_SHIPPING,
    LineStatus.SHIPPED,
    LineStatus.BILLED,
    LineStatus.CLOSED,
]
CANCELLABLE = [
    LineStatus.ENTERED,
    LineStatus.BOOKED,
    LineStatus.BACKORDERED,
    LineStatus.AWAITING_SUPPLY,
    LineStatus.AWAITING_SHIPPING,
]
# Booked and not yet shipped: the scheduled ship date still means something to the customer.
REPROMISABLE = CANCELLABLE[1:]


# The order header's status is its lowest-ranked line; Cancelled ranks last, so the header
# is the least advanced live line, and Cancelled only when every line is. No lines: Entered.
# orders.selectors.with_header_status applies the same ranking in SQL.
HEADER_STATUS_RANKING = [*PIPELINE, LineStatus.CANCELLED]


def derive_order_status(line_statuses) -> str:
    """Header status from its lines' statuses (see ``HEADER_STATUS_RANKING``)."""
    return min(line_statuses, key=HEADER_STATUS_RANKING.index, default=LineStatus.ENTERED)


class SalesOrder(BusinessDocument):
    number_prefix = "SO"

    customer = models.ForeignKey("catalog.Customer", on_delete=models.PROTECT)
    customer_po_number = models.CharField("customer PO", max_length=50, blank=True)
    warehouse = models.ForeignKey("catalog.Warehouse", on_delete=models.PROTECT)
    ordered_date = models.DateField()
    requested_date = models.DateField()
    currency_code = CurrencyField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField(null=True, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["-id"]
        permissions = [("book_salesorder", "Can book sales orders")]

    def get_absolute_url(self):
        return reverse("orders:detail", args=[self.pk])

    @property
    def status(self) -> str:
        return derive_order_status([line.status for line in self.lines.all()])

    def get_status_display(self) -> str:
        return LineStatus(self.status).label

    @property
    def total_amount(self):
        return sum((line.amount for line in self.lines.all() if line.is_live), start=0)


class SalesOrderLine(ConcurrentTransitions, TimeStampedModel):
    """One demand. Reserved, shipped and invoiced quantities are kept on the line by the
    services of later steps, in the same transaction as the documents that move them, so
    that transitions can check them as pure conditions."""

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT)
    quantity = QuantityField()
    unit_selling_price = MoneyField()
    requested_date = models.DateField()
    # The date promised to the customer, set at booking (orders.promising) and moved only by
    # a re-promise; supply is planned to arrive by it less the warehouse's processing days.
    scheduled_ship_date = models.DateField(null=True, blank=True)
    status = FSMField(
        choices=LineStatus.choices, default=LineStatus.ENTERED, protected=True, db_index=True
    )
    split_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="split_lines"
    )
    reserved_quantity = QuantityField()
    shipped_quantity = QuantityField()
    invoiced_quantity = QuantityField()
    cancel_reason = models.CharField(max_length=240, blank=True)
    # In jeopardy: the pegged supply is expected after the scheduled ship date (days_late
    # says by how much; orchestration.services.jeopardy), or the daily Late Supply process
    # found the PO line past its promised date.
    at_risk = models.BooleanField(default=False, db_index=True)
    days_late = models.PositiveIntegerField(default=0, db_index=True)
    history = LeanHistoricalRecords(lookups=("order",))

    class Meta:
        ordering = ["order_id", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_number"], name="so_line_number_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="so_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(reserved_quantity__lte=F("quantity") - F("shipped_quantity")),
                name="so_line_reserved_within_open",
            ),
            models.CheckConstraint(
                condition=Q(shipped_quantity__lte=F("quantity")), name="so_line_shipped_within"
            ),
            models.CheckConstraint(
                condition=Q(invoiced_quantity__lte=F("shipped_quantity")),
                name="so_line_invoiced_within_shipped",
            ),
        ]

    def __str__(self):
        return f"{self.order.number} line {self.line_number}"

    def get_absolute_url(self):
        return reverse("orchestration:peg_trace", args=[self.pk])

    @property
    def amount(self):
        return round_money(self.quantity * self.unit_selling_price)

    def leave_jeopardy(self) -> None:
        """Its supply is in, or gone: nothing is late for this line any more."""
        self.at_risk, self.days_late = False, 0

    @property
    def may_be_repromised(self) -> bool:
        return self.status in REPROMISABLE

    @property
    def is_live(self) -> bool:
        return self.status != LineStatus.CANCELLED

    def is_fully_reserved(self) -> bool:
        return self.reserved_quantity >= self.quantity - self.shipped_quantity

    def is_fully_shipped(self) -> bool:
        return self.shipped_quantity >= self.quantity

    def is_fully_invoiced(self) -> bool:
        return self.invoiced_quantity >= self.shipped_quantity

    @transition(field=status, source=LineStatus.ENTERED, target=LineStatus.BOOKED)
    def book(self):
        """Demand confirmed by the customer."""

    @transition(field=status, source=LineStatus.BOOKED, target=LineStatus.AWAITING_SUPPLY)
    def await_supply(self):
        """Progress Order: a supply order now stands behind the line."""

    @transition(
        field=status,
        source=[LineStatus.BOOKED, LineStatus.AWAITING_SHIPPING],
        target=LineStatus.BACKORDERED,
    )
    def backorder(self):
        """A stocked line whose stock is not there (or no longer enough, after its
        quantity grew): it waits for on-hand."""

    @transition(
        field=status,
        source=[LineStatus.AWAITING_SUPPLY, LineStatus.BOOKED, LineStatus.BACKORDERED],
        target=LineStatus.AWAITING_SHIPPING,
        conditions=[is_fully_reserved],
    )
    def mark_reserved(self):
        """Every open unit is reserved for this line: from its pegged supply (Back-to-Back)
        or from on-hand (a stocked line)."""

    @transition(
        field=status,
        source=LineStatus.AWAITING_SHIPPING,
        target=LineStatus.SHIPPED,
        conditions=[is_fully_shipped],
    )
    def mark_shipped(self):
        """Ship confirm has issued the whole quantity."""

    def is_back_in_stock(self) -> bool:
        return not self.shipped_quantity and self.is_fully_reserved()

    @transition(
        field=status,
        source=LineStatus.SHIPPED,
        target=LineStatus.AWAITING_SHIPPING,
        conditions=[is_back_in_stock],
    )
    def return_to_shipping(self):
        """Its shipment was reversed before invoicing: the goods are back, reserved for it."""

    @transition(
        field=status,
        source=LineStatus.SHIPPED,
        target=LineStatus.BILLED,
        conditions=[is_fully_invoiced],
    )
    def mark_billed(self):
        """AutoInvoice has billed every shipped unit."""

    @transition(field=status, source=LineStatus.BILLED, target=LineStatus.CLOSED)
    def close(self):
        """The customer's invoice is complete: nothing is left to do on the line."""

    def is_partly_uninvoiced(self) -> bool:
        return not self.is_fully_invoiced()

    @transition(
        field=status,
        source=[LineStatus.BILLED, LineStatus.CLOSED],
        target=LineStatus.SHIPPED,
        conditions=[is_partly_uninvoiced],
    )
    def reopen_billing(self):
        """A draft invoice was cancelled or a credit memo asks to bill a quantity again."""

    @transition(field=status, source=CANCELLABLE, target=LineStatus.CANCELLED)
    def cancel(self, reason_text: str = ""):
        self.cancel_reason = reason_text
