"""Shipping: pick release of reserved lines into a pick wave, then ship confirm."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from b2b_portal.bulk_writes import bulk_create_with_history
from b2b_portal.errors import TransitionRefused, ValidationRefused
from b2b_portal.fields import ZERO, format_quantity
from b2b_portal.integrity import refused_on_conflict
from b2b_portal.permissions import require_permission
from b2b_portal.transitions import apply_transition, bulk_save_moved, stamp_history
from catalog.models import BusinessUnit, Customer, Warehouse
from catalog.units import require_business_unit
from inventory.locks import balances_lock
from inventory.services import (
    StockLine,
    balances_save,
    reservations_add,
    reservations_issue,
    reservations_release,
)
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
NOTHING_TO_SHIP = "{wave} has no shipment still Released to ship confirm."


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
    # A release that committed after this one read the waiting lines, but before it locked
    # them, is not seen by the lock: the unique constraint refuses the second shipment line.
    with refused_on_conflict(
        {"one_shipment_line_per_so_line": LineAlreadyReleased(RELEASED_MEANWHILE)}
    ):
        _shipments_create(wave, lines=lines, actor=actor)
    return wave


def _shipments_create(wave: PickWave, *, lines: list[SalesOrderLine], actor) -> None:
    """One shipment per order in the wave, a line for each released SO line's reserved
    quantity: one insert for the shipments, one for their lines (with their history)."""
    by_order = defaultdict(list)
    for line in lines:
        by_order[line.order].append(line)
    shipments = bulk_create_with_history(
        [
            Shipment(
                business_unit=wave.business_unit,
                pick_wave=wave,
                customer_id=order.customer_id,
                warehouse=wave.warehouse,
            )
            for order in by_order
        ],
        Shipment,
        default_user=actor,
        default_change_reason="pick release",
    )
    bulk_create_with_history(
        [
            ShipmentLine(
                shipment=shipment,
                sales_order_line=line,
                quantity=line.reserved_quantity,
                released_quantity=line.reserved_quantity,
            )
            for shipment, order_lines in zip(shipments, by_order.values(), strict=True)
            for line in order_lines
        ],
        ShipmentLine,
        default_user=actor,
        default_change_reason="pick release",
    )


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
    _shipments_confirm(
        [shipment],
        reference=shipment.number,
        actor=actor,
        waybill=waybill,
        quantities=quantities or {},
    )
    return shipment


@transaction.atomic
def pick_wave_ship_confirm(*, actor, pick_wave: PickWave) -> list[Shipment]:
    """Ship confirm every shipment of the wave still Released, each in full, as the
    shipper does when the whole wave leaves on one truck: the same rules as one
    ``shipment_ship_confirm`` each, written as sets. Returns the shipments confirmed."""
    require_permission(actor, "shipping.confirm_shipment", "ship confirm shipments")
    require_business_unit(actor, pick_wave.business_unit_id)
    # Locked in pk order, as a ship confirm of each takes it.
    shipments = list(
        shipments_for_update()
        .filter(pick_wave=pick_wave, status=ShipmentStatus.RELEASED)
        .order_by("pk")
    )
    if not shipments:
        raise ValidationRefused(NOTHING_TO_SHIP.format(wave=pick_wave))
    _shipments_confirm(
        shipments, reference=pick_wave.number, actor=actor, waybill="", quantities={}
    )
    return shipments


def _shipments_confirm(
    shipments: list[Shipment], *, reference: str, actor, waybill: str, quantities: dict
):
    """Ship the locked shipments' released lines (a line un-released on its own stays
    behind) and move the shipments to Shipped; ``reference`` (the shipment, or the wave of
    many) names the call in the balances' history. The lines are read, not locked: whoever
    changes them (un-release, reversal) locks their shipment first. Their SO lines next:
    shipping moves their quantities and status."""
    by_pk = {shipment.pk: shipment for shipment in shipments}
    shipment_lines = list(
        ShipmentLine.objects.filter(
            shipment__in=shipments, status=ShipmentStatus.RELEASED
        ).order_by("pk")
    )
    shipped = _quantities_to_ship(shipment_lines, quantities)
    sales_lines = {
        line.pk: line
        for line in sales_order_lines_for_update()
        .filter(pk__in=[sl.sales_order_line_id for sl in shipment_lines])
        .select_related("item", "order")
    }
    # Every balance it moves, in item order, before it moves any (no deadlock with a receipt
    # or shipment of the same items in another order). A wave ships from one warehouse.
    warehouse = shipments[0].warehouse
    balances = balances_lock(
        item_ids=[line.item_id for line in sales_lines.values()], warehouse=warehouse
    )
    _ship_lines(
        shipment_lines,
        sales_lines,
        shipped,
        shipments=by_pk,
        reference=reference,
        balances=balances,
        actor=actor,
    )
    balances_save(balances.values(), actor=actor, reason=f"shipped {reference}")
    now = timezone.now()
    for shipment in shipments:
        apply_transition(
            shipment,
            "ship_confirm",
            actor=actor,
            reason="ship confirm",
            by=actor,
            when=now,
            waybill=waybill,
        )
    fields = ["status", "shipped_by", "shipped_at", "waybill"]
    bulk_save_moved(shipments, fields, actor=actor, reason="ship confirm")


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


def _ship_lines(
    shipment_lines: list[ShipmentLine],
    sales_lines: dict[int, SalesOrderLine],
    shipped: dict,
    *,
    shipments: dict[int, Shipment],
    reference: str,
    balances,
    actor,
) -> None:
    """Issue what each locked line ships of its reserved stock, under its shipment's
    number; what stays is split off. One write for the shipment lines, one for the SO lines."""
    issued = [
        StockLine.of(
            sales_lines[shipment_line.sales_order_line_id],
            shipped[shipment_line.pk],
            source_reference=shipments[shipment_line.shipment_id].number,
        )
        for shipment_line in shipment_lines
    ]
    reservations_issue(actor=actor, balances=balances, lines=issued, source_reference=reference)
    short = [
        (sales_lines[shipment_line.sales_order_line_id], shipment_line.quantity - quantity)
        for shipment_line in shipment_lines
        if (quantity := shipped[shipment_line.pk]) < shipment_line.quantity
    ]
    # Only one shipment ships short: the wave's confirm ships every line in full.
    shipment = shipments[shipment_lines[0].shipment_id] if short else None
    splits = _split_unshipped(short, actor=actor, shipment=shipment, balances=balances)
    for shipment_line in shipment_lines:
        shipment = shipments[shipment_line.shipment_id]
        line, quantity = sales_lines[shipment_line.sales_order_line_id], shipped[shipment_line.pk]
        reason = f"shipped on {shipment}"
        if split := splits.get(line.pk):
            reason = (
                f"shipped {format_quantity(quantity)} on {shipment}; "
                f"{format_quantity(split.quantity)} split to {split}"
            )
        apply_transition(shipment_line, "ship", actor=actor, reason=reason, quantity=quantity)
        apply_transition(line, "mark_shipped", actor=actor, reason=reason)
    bulk_save_moved(shipment_lines, ["status", "quantity"], actor=actor, reason="shipped")
    fields = ["status", "quantity", "reserved_quantity", "shipped_quantity"]
    bulk_save_moved(list(sales_lines.values()), fields, actor=actor, reason="shipped")


def _split_unshipped(short, *, actor, shipment: Shipment, balances) -> dict[int, SalesOrderLine]:
    """What a partial ship confirm left of each ``(line, rest)``: a new line of ``rest``,
    split from it as orchestration splits lines, holding the rest of its reservation and
    awaiting shipping. Returns the split lines by the pk of the line each came from."""
    splits = {}
    for line, rest in short:
        refusal = LineAlreadyReleased(SPLIT_MEANWHILE.format(order=line.order))
        splits[line.pk] = sales_order_line_split(
            line, quantity=rest, actor=actor, reason=f"not shipped on {shipment}", refusal=refusal
        )
    if not short:
        return splits
    reservations_release(
        actor=actor, balances=balances, lines=[StockLine.of(line, rest) for line, rest in short]
    )
    for line, rest in short:
        line.quantity -= rest
    # The balances are locked already; the new lines are seen by nobody until this commits.
    reservations_add(
        actor=actor,
        warehouse=shipment.warehouse,
        balances=balances,
        lines=[StockLine.of(splits[line.pk], rest) for line, rest in short],
    )
    bulk_save_moved(
        list(splits.values()), ["reserved_quantity", "status"], actor=actor, reason="reserved"
    )
    return splits
