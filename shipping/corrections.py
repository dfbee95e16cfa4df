"""Corrections of shipping: un-release a shipment (or every released shipment of a pick
wave, or one line of a shipment) released by mistake, and reverse a shipment shipped by
mistake before it is invoiced. Each leaves the reservation and the stock as they were
before the step."""

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from b2b_portal.errors import require_reason
from b2b_portal.permissions import require_permission
from b2b_portal.transitions import apply_transition
from catalog.units import require_business_unit
from inventory.locks import balances_lock
from inventory.services import reservation_restore
from orders.locks import sales_order_lines_for_update

from .exceptions import (
    INVOICED_ALREADY,
    LINE_NOT_RELEASED,
    NOT_RELEASED,
    NOT_SHIPPED,
    NOTHING_RELEASED_IN_WAVE,
    ShipmentNotCorrectable,
)
from .locks import shipment_lines_for_update, shipments_for_update
from .models import PickWave, Shipment, ShipmentLine, ShipmentStatus


def _locked(shipment: Shipment, status: str, refusal: str):
    """The shipment, then its lines, locked (as ship confirm and AutoInvoice take them),
    refused unless the shipment is in ``status``."""
    shipment = shipments_for_update().select_related("pick_wave").get(pk=shipment.pk)
    if shipment.status != status:
        raise ShipmentNotCorrectable(
            refusal.format(shipment=shipment, status=shipment.get_status_display())
        )
    return shipment, list(shipment_lines_for_update().filter(shipment=shipment, status=status))


def _correct(shipment: Shipment, lines, name: str, *, actor, reason: str, why: str) -> None:
    """Transition ``name`` on the locked shipment and its lines, with who and ``why``."""
    when = timezone.now()
    apply_transition(shipment, name, actor=actor, reason=why, by=actor, when=when, why=reason)
    shipment.save()
    for line in lines:
        apply_transition(line, name, actor=actor, reason=why)
        line.save()


def _unrelease(shipment: Shipment, *, actor, reason: str) -> Shipment:
    shipment, lines = _locked(shipment, ShipmentStatus.RELEASED, NOT_RELEASED)
    # The sales order lines keep status (Awaiting Shipping) and reservation: nothing to move.
    why = f"un-released: {reason}"
    _correct(shipment, lines, "unrelease", actor=actor, reason=reason, why=why)
    return shipment


@transaction.atomic
def shipment_unrelease(*, actor, shipment: Shipment, reason: str) -> Shipment:
    """A shipment released by mistake: its lines go back to Awaiting Shipping, still
    reserved, to be released again, changed or cancelled."""
    require_permission(actor, "shipping.add_pickwave", "un-release shipments")
    require_business_unit(actor, shipment.business_unit_id)
    reason = require_reason(reason, "the shipment is un-released")
    return _unrelease(shipment, actor=actor, reason=reason)


@transaction.atomic
def shipment_line_unrelease(*, actor, shipment_line: ShipmentLine, reason: str) -> ShipmentLine:
    """One line of a shipment released by mistake: it goes back to Awaiting Shipping,
    still reserved; the other lines stay released and ship without it. The last released
    line un-released takes the shipment with it (Un-released, with who and why)."""
    require_permission(actor, "shipping.add_pickwave", "un-release shipments")
    shipment = shipment_line.shipment
    require_business_unit(actor, shipment.business_unit_id)
    reason = require_reason(reason, "the shipment line is un-released")
    shipment, lines = _locked(shipment, ShipmentStatus.RELEASED, NOT_RELEASED)
    line = next((line for line in lines if line.pk == shipment_line.pk), None)
    if line is None:
        shipment_line.refresh_from_db()
        raise ShipmentNotCorrectable(
            LINE_NOT_RELEASED.format(line=shipment_line, status=shipment_line.get_status_display())
        )
    if len(lines) == 1:
        # The last released line: the shipment goes with it, as a whole un-release does.
        return _unrelease(shipment, actor=actor, reason=reason).lines.get(pk=line.pk)
    # The sales order line keeps status (Awaiting Shipping) and reservation: nothing to move.
    apply_transition(line, "unrelease", actor=actor, reason=f"un-released: {reason}")
    line.save()
    return line


@transaction.atomic
def pick_wave_unrelease(*, actor, pick_wave: PickWave, reason: str) -> list[Shipment]:
    """Un-release every shipment of the wave still Released (the shipped ones stay)."""
    require_permission(actor, "shipping.add_pickwave", "un-release shipments")
    require_business_unit(actor, pick_wave.business_unit_id)
    reason = require_reason(reason, "the pick wave is un-released")
    # Locked in pk order, one after the other, as a ship confirm of each takes it.
    released = list(
        shipments_for_update().filter(pick_wave=pick_wave, status=ShipmentStatus.RELEASED)
    )
    if not released:
        raise ShipmentNotCorrectable(NOTHING_RELEASED_IN_WAVE.format(wave=pick_wave))
    return [_unrelease(shipment, actor=actor, reason=reason) for shipment in released]


def _invoice_numbers(shipment_lines, *, still_billing: bool = True) -> list[str]:
    """The AR invoices still billing any of these lines (not cancelled, not wholly credited),
    or with ``still_billing=False`` every one that billed them. Invoicing comes after
    shipping, so its model is looked up by name, not imported (docs/architecture.md)."""
    invoice_lines = apps.get_model("invoicing", "ARInvoiceLine").objects.all()
    if still_billing:
        invoice_lines = invoice_lines.still_billing()
    invoice_lines = invoice_lines.filter(shipment_line__in=shipment_lines)
    return sorted({line.invoice.number for line in invoice_lines.select_related("invoice")})


def _refuse_if_invoiced(shipment: Shipment, lines, sales_lines: dict) -> None:
    """Refused while an AR invoice bills the shipment: a credit memo comes first. The
    lines' own invoiced quantities are the second guard (shipped never below invoiced)."""
    numbers = _invoice_numbers(lines)
    still_invoiced = any(
        sales_lines[sl.sales_order_line_id].invoiced_quantity
        > sales_lines[sl.sales_order_line_id].shipped_quantity - sl.quantity
        for sl in lines
    )
    if numbers or still_invoiced:
        numbers = numbers or _invoice_numbers(lines, still_billing=False)
        raise ShipmentNotCorrectable(
            INVOICED_ALREADY.format(shipment=shipment, invoices=", ".join(numbers))
        )


@transaction.atomic
def shipment_reverse(*, actor, shipment: Shipment, reason: str) -> Shipment:
    """A shipment shipped by mistake, before AR invoicing: the goods come back on hand,
    reserved again for their lines, which return to Awaiting Shipping. Once invoiced, an
    AR credit memo must come first."""
    require_permission(actor, "shipping.confirm_shipment", "reverse shipments")
    require_business_unit(actor, shipment.business_unit_id)
    reason = require_reason(reason, "the shipment is reversed")
    shipment, lines = _locked(shipment, ShipmentStatus.SHIPPED, NOT_SHIPPED)
    sales_lines = {
        line.pk: line
        for line in sales_order_lines_for_update()
        .filter(pk__in=[sl.sales_order_line_id for sl in lines])
        .select_related("order")
    }
    # Read under the lines' locks: AutoInvoice locks a line before it invoices it.
    _refuse_if_invoiced(shipment, lines, sales_lines)
    balances_lock(
        item_ids=[line.item_id for line in sales_lines.values()], warehouse=shipment.warehouse
    )
    why = f"reversed: {reason}"
    for shipment_line in lines:
        line = sales_lines[shipment_line.sales_order_line_id]
        reservation_restore(
            actor=actor,
            sales_order_line=line,
            quantity=shipment_line.quantity,
            source_reference=shipment.number,
        )
        apply_transition(line, "return_to_shipping", actor=actor, reason=f"{shipment} {why}")
        line.save()
    _correct(shipment, lines, "reverse", actor=actor, reason=reason, why=why)
    return shipment
