"""Order Import: a batch of orders from a customer's system (an EDI 850 feed, the API), as
Oracle's Order Import takes an interface table.

Each order is checked by the rules of entering (``checked_order``) and, when booked, of
booking (``promise_lines``) one order; an order a rule refuses is recorded with its message
and the others go on, as a process run records a failed line. The accepted orders are
written in one transaction by a constant number of statements, whatever their number: the
headers, the lines, the booking, each one set-based write with its history rows.
"""

from dataclasses import dataclass, field, fields
from datetime import date

from django.db import transaction
from django.utils import timezone

from b2b_portal.errors import ApplicationError, ValidationRefused
from b2b_portal.permissions import require_permission
from catalog.models import BusinessUnit, Customer, Warehouse
from catalog.units import require_business_unit

from .locks import customer_pos_lock
from .models import SalesOrder
from .promising import lead_times
from .services import (
    BOOK_PERMISSION,
    OrderLineInput,
    book_in_memory,
    checked_order,
    orders_insert,
    progress_order_queue,
    promise_lines,
)

IMPORTED = "order imported"
IMPORTED_BOOKED = "order imported and booked"
# A feed that sends a batch again (a timeout, then a retry) must not make its orders twice.
PO_ALREADY_SENT = "Customer {customer} already sent PO {po}: it is {order}."
PO_TWICE = "Customer {customer} PO {po} is already entry {index} of this import."


@dataclass(frozen=True)
class OrderEntry:
    """One order of a batch, as ``sales_order_create`` takes it."""

    business_unit: BusinessUnit
    customer: Customer
    warehouse: Warehouse
    requested_date: date
    lines: list[OrderLineInput]
    customer_po_number: str = ""
    ordered_date: date | None = None

    @classmethod
    def from_entry(cls, entry: dict) -> "OrderEntry":
        """An order as a form or the API entered it, its lines as ``OrderLineInput`` does."""
        return cls(
            business_unit=entry["business_unit"],
            customer=entry["customer"],
            warehouse=entry["warehouse"],
            requested_date=entry["requested_date"],
            customer_po_number=entry["customer_po_number"],
            lines=[OrderLineInput.from_entry(line) for line in entry["lines"]],
        )

    def as_arguments(self) -> dict:
        """The keyword arguments of ``sales_order_create`` for this one order."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


@dataclass(frozen=True)
class ImportedOrder:
    index: int
    order: SalesOrder


@dataclass(frozen=True)
class ImportFailure:
    index: int
    message: str


@dataclass
class ImportResult:
    """The orders made and the entries refused, each by its index in the batch."""

    created: list[ImportedOrder] = field(default_factory=list)
    failed: list[ImportFailure] = field(default_factory=list)


@transaction.atomic
def sales_orders_import(
    *, actor, entries: list[OrderEntry], book: bool, positions: list[int] | None = None
) -> ImportResult:
    """Enter (and, with ``book``, book) every acceptable order of ``entries`` at once.

    ``positions``: each entry's index in the caller's batch, when the caller left some of
    its orders out (the API's, refused field by field): results and messages name entries
    by it; by default their index in ``entries``. Booking needs the permission to book:
    without it nothing is imported. Progress Order is queued once per business unit of the
    booked orders."""
    if book:
        require_permission(actor, BOOK_PERMISSION, "book sales orders")
    today = timezone.localdate()
    # The sourcing rules of every item in the batch, read once (a booking reads its order's).
    leads = lead_times(_items(entries), today) if book else None
    unit_refusals = _unit_refusals(actor, entries)
    customer_pos_lock(entry.customer.pk for entry in entries if entry.customer_po_number)
    made, in_batch = _customer_pos_sent(entries), {}
    result, accepted = ImportResult(), []
    for index, entry in zip(positions or range(len(entries)), entries, strict=True):
        try:
            if refusal := unit_refusals.get(entry.business_unit.pk):
                raise refusal
            _refuse_a_po_sent_before(entry, made, in_batch)
            arguments = entry.as_arguments()
            arguments["ordered_date"] = entry.ordered_date or today
            order, lines = checked_order(actor=actor, **arguments)
            if book:
                promise_lines(lines, warehouse=entry.warehouse, today=today, leads=leads)
        except ApplicationError as refused:
            result.failed.append(ImportFailure(index=index, message=refused.message))
            continue
        accepted.append((index, order, lines))
        if entry.customer_po_number:
            in_batch[(entry.customer.pk, entry.customer_po_number)] = index
    if not accepted:
        return result
    orders = [order for _index, order, _lines in accepted]
    lines = [line for _index, _order, order_lines in accepted for line in order_lines]
    if book:
        # Booked as they are entered: one write and one history row a line and an order,
        # not an insert and then an update of each (a third of an import's time).
        book_in_memory(lines, orders, actor=actor, reason=IMPORTED_BOOKED)
    orders_insert(orders, lines, actor=actor, reason=IMPORTED_BOOKED if book else IMPORTED)
    if book:
        # One run per unit takes every booked line of it, as bookings close together share one.
        for order in {order.business_unit_id: order for order in orders}.values():
            progress_order_queue(order, actor=actor)
    result.created = [ImportedOrder(index=index, order=order) for index, order, _ in accepted]
    return result


def _customer_pos_sent(entries: list[OrderEntry]) -> dict[tuple[int, str], str]:
    """The order already made for each (customer, customer PO number) of the batch, in one
    query; none is read for a batch without PO numbers."""
    keys = {(e.customer.pk, e.customer_po_number) for e in entries if e.customer_po_number}
    if not keys:
        return {}
    made = SalesOrder.objects.filter(
        customer_id__in={customer for customer, _po in keys},
        customer_po_number__in={po for _customer, po in keys},
    ).values_list("customer_id", "customer_po_number", "pk")
    return {
        (customer, po): SalesOrder.number_of(pk)
        for customer, po, pk in made
        if (customer, po) in keys
    }


def _refuse_a_po_sent_before(
    entry: OrderEntry, made: dict, in_batch: dict[tuple[int, str], int]
) -> None:
    """Refuse an order whose customer PO number the customer already sent: an order
    ``made`` before (cancelled or not: a resent batch is the usual cause), or an entry
    accepted earlier in this batch (``in_batch``). Orders without a PO number pass."""
    key = (entry.customer.pk, entry.customer_po_number)
    customer, po = entry.customer.number, key[1]
    if key in made:
        raise ValidationRefused(PO_ALREADY_SENT.format(customer=customer, po=po, order=made[key]))
    if key in in_batch:
        raise ValidationRefused(PO_TWICE.format(customer=customer, po=po, index=in_batch[key]))


def _items(entries: list[OrderEntry]):
    return list({line.item.pk: line.item for entry in entries for line in entry.lines}.values())


def _unit_refusals(actor, entries: list[OrderEntry]) -> dict[int, ApplicationError]:
    """The refusal of each business unit of the batch the actor may not enter orders in,
    checked once a unit (an administrator's check reads the unit)."""
    refusals = {}
    for unit_id in {entry.business_unit.pk for entry in entries}:
        try:
            require_business_unit(actor, unit_id)
        except ApplicationError as refused:
            refusals[unit_id] = refused
    return refusals
