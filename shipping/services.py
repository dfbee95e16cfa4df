"""Shipping: pick release of reserved lines into a pick wave, then ship confirm."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from b2b_portal.errors import TransitionRefused, ValidationRefused
from b2b_portal.fields import ZERO, format_quantity
from b2b_portal.integrity import refused_on_conflict
from b2b_portal.permissions import require_permission
from b2b_portal.transitions import apply_transition, stamp_history
from catalog.models import BusinessUnit, Customer, Warehouse
from catalog.units import require_business_unit
from inventory.locks import balances_lock
from inventory.services import reservation_add, reservation_issue, reservation_release
from orders.locks import sales_order_lines_for_update
from orders.models import SalesOrder, SalesOrderLine
from orders.splits import sales_order_line_split

from .exceptions import (
    RELEASED_MEANWHILE,
    SHIP_QUANTITY_OUT_OF_RANGE,
    SPLIT_MEANWHILE,
    LineAlreadyReleased,
)
from .locks import shipments_for_update
from .models import PickWave, Shipment, ShipmentLine, ShipmentStatus
from .selectors import lines_awaiting_release

NOTHING_TO_RELEASE = "No reserved lines are waiting to be released for these criteria."


@transaction.atomic
def pick_release(
    *,
    actor,
    business_unit: BusinessUnit,
    warehouse: Warehouse,
    customer: Customer | None = None,
    sales_order: SalesOrder | None = None,
    requested_by: date | None = None,
) -> PickWave:
    """Release every fully reserved line not yet released into one pick wave, one
    shipment per sales order. Only reserved quantity is ever released."""
    require_permission(actor, "shipping.add_pickwave", "release lines for picking")
    require_business_unit(actor, business_unit.pk)
    if warehouse.business_unit_id != business_unit.pk:
        raise ValidationRefused(f"Warehouse {warehouse} belongs to another business unit.")
    waiting = lines_awaiting_release(
        business_units=[business_unit],
        warehouse=warehouse,
        customer=customer,
        sales_order=sales_order,
        requested_by=requested_by,
    )
    # Skip lines another release holds: each line lands in exactly one wave.
    lines = list(
        sales_order_lines_for_update(skip_locked=True)
        .filter(pk__in=waiting.values("pk"))
        .select_related("order")
    )
    if not lines:
        raise ValidationRefused(NOTHING_TO_RELEASE)
    wave = PickWave(business_unit=business_unit, warehouse=warehouse, released_by=actor)
    stamp_history(wave, actor=actor, reason="pick release")
    wave.save()
    by_order = defaultdict(list)
    for line in lines:
        by_order[line.order].append(line)
    # A release that committed after this one read the waiting lines, but before it locked
    # them, is not seen by the lock: the unique constraint refuses the second shipment line.
    with refused_on_conflict(
        {"one_shipment_line_per_so_line": LineAlreadyReleased(RELEASED_MEANWHILE)}
    ):
        for order, order_lines in by_order.items():
            _shipment_create(wave, order=order, lines=order_lines, actor=actor)
    return wave


def _shipment_create(
    wave: PickWave, *, order: SalesOrder, lines: list[SalesOrderLine], actor
) -> Shipment:
    """One order's shipment in the wave, a line for each released SO line's reserved quantity."""
    shipment = Shipment(
        business_unit=wave.business_unit,
        pick_wave=wave,
        customer_id=order.customer_id,
        warehouse=wave.warehouse,
    )
    stamp_history(shipment, actor=actor, reason="pick release")
    shipment.save()
    for line in lines:
        shipment_line = ShipmentLine(
            shipment=shipment,
            sales_order_line=line,
            quantity=line.reserved_quantity,
            released_quantity=line.reserved_quantity,
        )
        stamp_history(shipment_line, actor=actor, reason="pick release")
        shipment_line.save()
    return shipment


@transaction.atomic
def shipment_ship_confirm(
    *, actor, shipment: Shipment, waybill: str = "", quantities: dict | None = None
) -> Shipment:
    """Ship confirm: the reserved stock leaves the warehouse and the lines are Shipped.

    ``quantities`` (shipment line pk -> quantity shipped; all that was released when
    left out) may ship less: the line is split, the rest stays reserved on a new line
    awaiting shipping (``_split_unshipped``)."""
    require_permission(actor, "shipping.confirm_shipment", "ship confirm shipments")
    require_business_unit(actor, shipment.business_unit_id)
    # The shipment first: a second confirm of it waits here, then finds it Shipped.
    shipment = shipments_for_update().get(pk=shipment.pk)
    if shipment.status != ShipmentStatus.RELEASED:
        raise TransitionRefused(f"{shipment} is already {shipment.get_status_display()}.")
    # Its released lines (a line un-released on its own stays behind) are read, not locked:
    # whoever changes them (un-release, reversal) locks the shipment first. Their SO lines
    # next: shipping moves their quantities and status.
    shipment_lines = list(shipment.lines.filter(status=ShipmentStatus.RELEASED).order_by("pk"))
    shipped = _quantities_to_ship(shipment_lines, quantities or {})
    sales_lines = {
        line.pk: line
        for line in sales_order_lines_for_update()
        .filter(pk__in=[sl.sales_order_line_id for sl in shipment_lines])
        .select_related("item", "order")
    }
    # Every balance it moves, in item order, before it moves any (no deadlock with a receipt
    # or shipment of the same items in another order).
    balances_lock(
        item_ids=[line.item_id for line in sales_lines.values()], warehouse=shipment.warehouse
    )
    for shipment_line in shipment_lines:
        line = sales_lines[shipment_line.sales_order_line_id]
        quantity = shipped[shipment_line.pk]
        _ship_line(shipment_line, line, shipment=shipment, quantity=quantity, actor=actor)
    apply_transition(
        shipment,
        "ship_confirm",
        actor=actor,
        reason="ship confirm",
        by=actor,
        when=timezone.now(),
        waybill=waybill,
    )
    shipment.save()
    return shipment


def _quantities_to_ship(shipment_lines: list[ShipmentLine], quantities: dict) -> dict:
    """Shipment line pk -> quantity to ship, each more than zero and at most released."""
    shipped = {}
    for shipment_line in shipment_lines:
        quantity = Decimal(quantities.get(shipment_line.pk, shipment_line.quantity))
        if not ZERO < quantity <= shipment_line.quantity:
            raise ValidationRefused(
                SHIP_QUANTITY_OUT_OF_RANGE.format(
                    line=shipment_line.sales_order_line, released=shipment_line.quantity
                )
            )
        shipped[shipment_line.pk] = quantity
    return shipped


def _ship_line(
    shipment_line: ShipmentLine, line: SalesOrderLine, *, shipment: Shipment, quantity, actor
) -> None:
    """Issue ``quantity`` of one locked line's reserved stock; what stays is split off."""
    reservation_issue(
        actor=actor, sales_order_line=line, quantity=quantity, source_reference=shipment.number
    )
    reason = f"shipped on {shipment}"
    rest = shipment_line.quantity - quantity
    if rest:
        split = _split_unshipped(line, rest=rest, actor=actor, shipment=shipment)
        reason = (
            f"shipped {format_quantity(quantity)} on {shipment}; "
            f"{format_quantity(rest)} split to {split}"
        )
    apply_transition(shipment_line, "ship", actor=actor, reason=reason, quantity=quantity)
    shipment_line.save()
    apply_transition(line, "mark_shipped", actor=actor, reason=reason)
    line.save()


def _split_unshipped(line: SalesOrderLine, *, rest, actor, shipment: Shipment) -> SalesOrderLine:
    """What a partial ship confirm left: a new line of ``rest``, split from ``line`` as
    orchestration splits lines, holding the rest of its reservation and awaiting shipping."""
    refusal = LineAlreadyReleased(SPLIT_MEANWHILE.format(order=line.order))
    split = sales_order_line_split(
        line, quantity=rest, actor=actor, reason=f"not shipped on {shipment}", refusal=refusal
    )
    reservation_release(actor=actor, sales_order_line=line, quantity=rest)
    line.quantity -= rest
    # The balance is locked already; the new line is seen by nobody until this commits.
    reservation_add(
        actor=actor, sales_order_line=split, warehouse=shipment.warehouse, quantity=rest
    )
    return split
