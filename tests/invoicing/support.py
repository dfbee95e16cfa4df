"""Invoicing documents at the stages the correction tests start from."""

from decimal import Decimal

from django.utils import timezone

from invoicing.models import ARInvoice
from invoicing.services import (
    APLineInput,
    ap_invoice_create,
    ap_invoice_validate,
    ar_invoice_complete,
    autoinvoice_import,
)
from orchestration.services import Remainder, purchase_order_line_close_short
from shipping.models import Shipment, ShipmentStatus
from shipping.services import pick_release, shipment_ship_confirm
from tests.helpers import receive


def enter_ap_invoice(world, po_line, quantity, unit_price=None, number="INV-1"):
    return ap_invoice_create(
        actor=world.users["ap"],
        purchase_order=po_line.purchase_order,
        supplier_invoice_number=number,
        invoice_date=timezone.localdate(),
        lines=[
            APLineInput(
                purchase_order_line=po_line, quantity=Decimal(quantity), unit_price=unit_price
            )
        ],
    )


def stuck_hold(world, drive_to_po):
    """The dead end of issue 10: an invoice billing 5 on a PO line closed short at 1
    received, On Hold for a quantity that can never arrive. Returns (invoice, po_line)."""
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "5"))
    receive(world, po_line, "1")
    purchase_order_line_close_short(
        actor=world.users["buyer"],
        purchase_order_line=po_line,
        remainder=Remainder.CANCEL,
        reason="supplier discontinued the model",
    )
    invoice = ap_invoice_validate(
        actor=world.users["ap"], invoice=enter_ap_invoice(world, po_line, "5")
    )
    po_line.refresh_from_db()
    return invoice, po_line


def ship_all(world):
    """Release and ship everything reserved in US1/M1."""
    pick_release(
        actor=world.users["shipper"],
        business_unit=world.units["US1"],
        warehouse=world.warehouses["M1"],
    )
    for shipment in Shipment.objects.filter(status=ShipmentStatus.RELEASED):
        shipment_ship_confirm(actor=world.users["shipper"], shipment=shipment)


def complete_ar_invoice(world, drive_to_po, quantity="2"):
    """A Back-to-Back line received, shipped, invoiced by AutoInvoice and completed."""
    order, [po_line] = drive_to_po(("SRV-DL380-G11", quantity))
    receive(world, po_line, quantity)
    ship_all(world)
    autoinvoice_import(actor=world.users["ar"])
    invoice = ARInvoice.objects.get(sales_order=order)
    return ar_invoice_complete(actor=world.users["ar"], invoice=invoice)
