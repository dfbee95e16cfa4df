"""Shipping: pick release of reserved lines into a pick wave, then ship confirm."""

from collections import defaultdict
from datetime import date

from django.db import transaction
from django.utils import timezone

from b2b_portal.errors import TransitionRefused, ValidationRefused
from b2b_portal.permissions import require_business_unit
from b2b_portal.transitions import apply_transition, stamp_history
from catalog.models import BusinessUnit, Customer, Warehouse
from inventory.services import balances_lock, reservation_issue
from orders.models import SalesOrder, SalesOrderLine

from .models import PickWave, Shipment, ShipmentLine, ShipmentStatus
from .selectors import lines_awaiting_release


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
    require_business_unit(actor, business_unit.pk)
    if warehouse.business_unit_id != business_unit.pk:
        raise ValidationRefused(f"Warehouse {warehouse} belongs to another business unit.")
    lines = lines_awaiting_release(
        business_units=[business_unit],
        warehouse=warehouse,
        customer=customer,
        sales_order=sales_order,
        requested_by=requested_by,
    ).select_related("order")
    # Skip lines another release holds: each line lands in exactly one wave.
    lines = list(lines.select_for_update(skip_locked=True, of=("self",)).order_by("pk"))
    if not lines:
        raise ValidationRefused("No reserved lines are waiting to be released for these criteria.")

    wave = PickWave(business_unit=business_unit, warehouse=warehouse, released_by=actor)
    stamp_history(wave, actor=actor, reason="pick release")
    wave.save()
    by_order = defaultdict(list)
    for line in lines:
        by_order[line.order].append(line)
    for order, order_lines in by_order.items():
        shipment = Shipment(
            business_unit=business_unit,
            pick_wave=wave,
            customer_id=order.customer_id,
            warehouse=warehouse,
        )
        stamp_history(shipment, actor=actor, reason="pick release")
        shipment.save()
        for line in order_lines:
            shipment_line = ShipmentLine(
                shipment=shipment, sales_order_line=line, quantity=line.reserved_quantity
            )
            stamp_history(shipment_line, actor=actor, reason="pick release")
            shipment_line.save()
    return wave


@transaction.atomic
def shipment_ship_confirm(*, actor, shipment: Shipment, waybill: str = "") -> Shipment:
    """Ship confirm: the reserved stock leaves the warehouse and the lines are Shipped."""
    require_business_unit(actor, shipment.business_unit_id)
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if shipment.status != ShipmentStatus.RELEASED:
        raise TransitionRefused(f"{shipment} is already {shipment.get_status_display()}.")
    shipment_lines = list(shipment.lines.order_by("pk"))
    sales_lines = {
        line.pk: line
        for line in SalesOrderLine.objects.select_for_update()
        .filter(pk__in=[sl.sales_order_line_id for sl in shipment_lines])
        .select_related("item")
        .order_by("pk")
    }
    balances_lock(
        item_ids=[line.item_id for line in sales_lines.values()], warehouse=shipment.warehouse
    )
    for shipment_line in shipment_lines:
        line = sales_lines[shipment_line.sales_order_line_id]
        reservation_issue(
            actor=actor,
            sales_order_line=line,
            quantity=shipment_line.quantity,
            source_reference=shipment.number,
        )
        apply_transition(line, "mark_shipped", actor=actor, reason=f"shipped on {shipment}")
        line.save()
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
