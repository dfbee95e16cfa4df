"""Writes on sales orders: create, book.

Each writes an order in a constant number of statements whatever its lines: the lines and
their history rows in bulk, the items read with the lines (docs/benchmarks.md).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from b2b_portal.bulk_writes import bulk_create_with_history
from b2b_portal.errors import ValidationRefused
from b2b_portal.fields import QUANTITY_PLACES, ZERO, format_money, round_money
from b2b_portal.permissions import require_permission
from b2b_portal.transitions import apply_transition, bulk_save_moved_together
from catalog.models import BusinessUnit, Customer, Item, Warehouse
from catalog.units import require_business_unit
from processes.services import process_run_queue_pending

from .exceptions import InvalidOrderLine, ItemNotBookable
from .locks import sales_order_lines_for_update
from .models import LineStatus, SalesOrder, SalesOrderLine
from .promising import lead_time, scheduled_ship_dates

MAX_PRICE = Decimal("999999999999.99")
MAX_QUANTITY = Decimal("99999999999.999")
# The largest amount a money column (14 digits, 2 decimals) holds: a document's total too.
MAX_AMOUNT = MAX_PRICE
LINE_AMOUNT_OVER_LIMIT = (
    "Line amount {amount} is more than the {limit} a line may carry; split it over several "
    "orders or ask your administrator to raise the limit."
)
ORDER_TOTAL_TOO_LARGE = (
    "The order total {total} is more than the {limit} a document can hold; split the order."
)
# The foreign keys of an order's header that sales_order_create holds as objects.
HEADER_OBJECTS = ("business_unit", "customer", "warehouse", "created_by")
BOOK_PERMISSION = "orders.book_salesorder"
BOOKED = "booked"
ZERO_PRICE_UNCONFIRMED = (
    "Unit price 0 gives item {item} away: tick No charge to confirm it, or enter a price."
)


@dataclass(frozen=True)
class OrderLineInput:
    item: Item
    quantity: Decimal
    unit_selling_price: Decimal | None = None
    # A price of 0 is a decision (a free replacement, a sample), confirmed by the clerk.
    no_charge: bool = False

    @classmethod
    def from_entry(cls, entry: dict) -> "OrderLineInput":
        """A line as a clerk entered it (the workbench's order page or the admin's add
        page): an empty price means the item's list price."""
        return cls(
            item=entry["item"],
            quantity=entry["quantity"],
            unit_selling_price=entry.get("unit_selling_price"),
            no_charge=entry.get("no_charge", False),
        )


def validate_quantity(quantity, *, what: str = "Quantity") -> Decimal:
    """A positive quantity of at most three decimals, or a message saying what is wrong."""
    quantity = Decimal(quantity)
    if quantity <= ZERO:
        raise InvalidOrderLine(f"{what} must be greater than zero.")
    if quantity > MAX_QUANTITY:
        raise InvalidOrderLine(f"{what} must be at most 99,999,999,999.999.")
    if quantity != quantity.quantize(QUANTITY_PLACES):
        raise InvalidOrderLine(f"{what} can have at most 3 decimal places.")
    return quantity


def validate_price(price) -> Decimal:
    """A money amount that fits the money fields (2 decimals, below 10^12), or a message."""
    price = Decimal(price)
    if price < ZERO or price > MAX_PRICE:
        raise InvalidOrderLine("Unit price must be between 0 and 999,999,999,999.99.")
    if price != price.quantize(Decimal("0.01")):
        raise InvalidOrderLine("Unit price can have at most 2 decimal places.")
    return price


def _require_same_unit(business_unit: BusinessUnit, **documents) -> None:
    for label, document in documents.items():
        if document.business_unit_id != business_unit.pk:
            raise ValidationRefused(f"The {label} {document} belongs to another business unit.")


def validate_line(business_unit: BusinessUnit, line: OrderLineInput):
    """The item, quantity and price a line may carry in ``business_unit`` (an empty price is
    the item's list price), or the refusal; entering and editing an order share it."""
    _require_same_unit(business_unit, item=line.item)
    if not line.item.active:
        raise InvalidOrderLine(f"Item {line.item.number} is inactive.")
    price = line.item.list_price if line.unit_selling_price is None else line.unit_selling_price
    quantity, price = validate_quantity(line.quantity), validate_price(price)
    if price == ZERO and not line.no_charge:
        raise InvalidOrderLine(ZERO_PRICE_UNCONFIRMED.format(item=line.item.number))
    validate_line_amount(round_money(quantity * price), business_unit.currency_code)
    return line.item, quantity, price


def validate_line_amount(amount: Decimal, currency_code: str) -> None:
    """A line amount within the configured limit per line (ORDER_LINE_AMOUNT_LIMIT, never
    more than a money column holds), or the refusal."""
    limit = min(settings.ORDER_LINE_AMOUNT_LIMIT, MAX_AMOUNT)
    if amount > limit:
        raise InvalidOrderLine(
            LINE_AMOUNT_OVER_LIMIT.format(
                amount=format_money(amount, currency_code),
                limit=format_money(limit, currency_code),
            )
        )


def validate_order_total(amounts, currency_code: str) -> None:
    """An order total a document's money column can hold (its invoices carry it), or the
    refusal."""
    if (total := sum(amounts, start=ZERO)) > MAX_AMOUNT:
        raise InvalidOrderLine(
            ORDER_TOTAL_TOO_LARGE.format(
                total=format_money(total, currency_code),
                limit=format_money(MAX_AMOUNT, currency_code),
            )
        )


def checked_order(
    *,
    actor,
    business_unit: BusinessUnit,
    customer: Customer,
    warehouse: Warehouse,
    requested_date: date,
    lines: list[OrderLineInput],
    ordered_date: date | None = None,
    customer_po_number: str = "",
) -> tuple[SalesOrder, list[SalesOrderLine]]:
    """The unsaved order (status Entered) and its unsaved lines, every rule of entering an
    order checked but the actor's unit (the caller's, once per unit); prices default from the
    item's list price. Entering one order and importing a batch share it."""
    _require_same_unit(business_unit, customer=customer, warehouse=warehouse)
    if not lines:
        raise InvalidOrderLine("An order needs at least one line.")
    order = SalesOrder(
        business_unit=business_unit,
        customer=customer,
        warehouse=warehouse,
        requested_date=requested_date,
        ordered_date=ordered_date or timezone.localdate(),
        customer_po_number=customer_po_number,
        currency_code=business_unit.currency_code,
        created_by=actor,
    )
    # The header's foreign keys are the objects this call was given, checked above: Django
    # would ask the database whether each exists; every other field is validated.
    order.full_clean(exclude=HEADER_OBJECTS)
    validated = [validate_line(business_unit, line) for line in lines]
    validate_order_total(
        (round_money(quantity * price) for _item, quantity, price in validated),
        business_unit.currency_code,
    )
    return order, [
        SalesOrderLine(
            order=order,
            line_number=line_number,
            item=item,
            quantity=quantity,
            unit_selling_price=price,
            requested_date=requested_date,
        )
        for line_number, (item, quantity, price) in enumerate(validated, start=1)
    ]


@transaction.atomic
def sales_order_create(
    *,
    actor,
    business_unit: BusinessUnit,
    customer: Customer,
    warehouse: Warehouse,
    requested_date: date,
    lines: list[OrderLineInput],
    ordered_date: date | None = None,
    customer_po_number: str = "",
) -> SalesOrder:
    """Enter an order (status Entered); prices default from the item's list price."""
    require_business_unit(actor, business_unit.pk)
    order, order_lines = checked_order(
        actor=actor,
        business_unit=business_unit,
        customer=customer,
        warehouse=warehouse,
        requested_date=requested_date,
        lines=lines,
        ordered_date=ordered_date,
        customer_po_number=customer_po_number,
    )
    orders_insert([order], order_lines, actor=actor, reason="order created")
    return order


def orders_insert(
    orders: list[SalesOrder], lines: list[SalesOrderLine], *, actor, reason: str
) -> None:
    """Write checked orders and their lines, each set with its history rows (who, why).
    The headers first: their new primary keys reach the lines. A header is written as its
    lines are, its history row copied by the database: a model save would build and
    compile a historical object."""
    bulk_create_with_history(orders, SalesOrder, default_user=actor, default_change_reason=reason)
    bulk_create_with_history(
        lines, SalesOrderLine, default_user=actor, default_change_reason=reason
    )


def promise_lines(
    lines: list[SalesOrderLine],
    *,
    warehouse: Warehouse,
    today: date | None = None,
    leads: dict[int, int] | None = None,
) -> None:
    """Check that every line may be booked and set its scheduled ship date (in memory).

    Back-to-Back lines need the item's Back-to-Back Enabled, Purchased and Purchasable
    attributes; a missing one refuses the whole booking and names the attribute. Lines of
    stocked items are served from on-hand instead (Progress Order reserves them). ``leads``:
    the items' lead times, read with the lines (a booking) or once for all the orders of a
    batch (an import)."""
    promised = scheduled_ship_dates(
        [(line.item, line.requested_date) for line in lines],
        warehouse=warehouse,
        today=today,
        leads=leads,
    )
    for line, scheduled_ship_date in zip(lines, promised, strict=True):
        missing = line.item.missing_back_to_back_attributes()
        if missing and not line.item.is_stock_item:
            raise ItemNotBookable(
                f"Line {line.line_number}: item {line.item.number} cannot be booked as a "
                f"Back-to-Back line; it is missing: {', '.join(missing)}."
            )
        line.scheduled_ship_date = scheduled_ship_date


def lines_book(lines: list[SalesOrderLine], orders: list[SalesOrder], *, actor) -> None:
    """Move promised lines Entered -> Booked and stamp their orders booked, a set-based
    write each with its history rows; one order or a batch of them."""
    book_in_memory(lines, orders, actor=actor, reason=BOOKED)
    bulk_save_moved_together(
        [(lines, ("status", "scheduled_ship_date")), (orders, ("booked_at", "booked_by"))],
        actor=actor,
        reason=BOOKED,
    )


def book_in_memory(lines: list[SalesOrderLine], orders: list[SalesOrder], *, actor, reason: str):
    """Run each promised line's Entered -> Booked transition and stamp its order booked, in
    memory: the caller writes them (``lines_book`` over written rows, an import that books
    as it enters over rows not yet written)."""
    for line in lines:
        apply_transition(line, "book", actor=actor, reason=reason)
    now = timezone.now()
    for order in orders:
        order.booked_at, order.booked_by = now, actor


# What booking reads of a line and its item (``promise_lines``): the
# history is copied from the rows in the database, so no other field comes to Python.
BOOKING_READS = (
    "status",
    "line_number",
    "requested_date",
    "item__number",
    "item__back_to_back_enabled",
    "item__purchased",
    "item__purchasable",
    "item__stocked",
)


@transaction.atomic
def sales_order_book(*, actor, sales_order: SalesOrder) -> SalesOrder:
    """Book every entered line: the customer's demand is now firm (``promise_lines``: the
    Back-to-Back attributes each line needs, its scheduled ship date)."""
    require_permission(actor, BOOK_PERMISSION, "book sales orders")
    require_business_unit(actor, sales_order.business_unit_id)
    # Lock the order's entered lines: a second clerk booking the same order at once waits,
    # then finds them Booked and is refused. The items are read, not locked, each with its
    # lead time today, in the same statement.
    today = timezone.localdate()
    lines = list(
        sales_order_lines_for_update()
        .filter(order=sales_order, status=LineStatus.ENTERED)
        .select_related("item")
        .only(*BOOKING_READS)
        .annotate(lead_time_days=lead_time(SalesOrderLine, today))
    )
    if not lines:
        raise ValidationRefused(f"{sales_order} has no entered lines to book.")
    leads = {line.item_id: line.lead_time_days for line in lines if line.lead_time_days is not None}
    promise_lines(lines, warehouse=sales_order.warehouse, today=today, leads=leads)
    lines_book(lines, [sales_order], actor=actor)
    # The clerk sees Awaiting Supply within seconds, without waiting for the schedule.
    progress_order_queue(sales_order, actor=actor)
    return sales_order


def progress_order_queue(order: SalesOrder, *, actor) -> None:
    """Progress Order for the order's unit soon (a booking, a split line): its new lines get
    their supply within seconds. Bookings close together share one run: this joins the
    unit's run still Queued, if there is one, which takes every booked line of the unit when
    it starts (docs/processes.md, "Batched event runs"). The run commits with the caller's
    transaction; ``actor`` is its requester when it is new."""
    process_run_queue_pending(
        process="progress_order",
        parameters={"business_unit": order.business_unit_id},
        requested_by=actor,
    )
