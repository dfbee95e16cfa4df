"""Helpers of the shipping and invoicing page tests: orders carried to reserved, shipped
and invoiced through the services, one at a time or in volume."""

from decimal import Decimal

from django.utils import timezone

from invoicing.services import APLineInput, ap_invoice_create, autoinvoice_import
from procurement.models import PurchaseOrderLine
from receiving.services import ReceiptLineInput, receipt_create
from shipping.models import Shipment, ShipmentStatus
from shipping.services import shipment_ship_confirm
from tests.helpers import receive, release
from tests.web.procurement.support import purchase_orders_in_bulk


def reserved_order(world, drive_to_po, quantity="2"):
    """A booked order of one Back-to-Back line, its PO approved and fully received: the
    line is reserved and awaits pick release. Returns (order, PO line)."""
    order, [po_line] = drive_to_po(("SRV-DL380-G11", quantity))
    receive(world, po_line, quantity)
    return order, po_line


def received_in_bulk(world, count: int) -> list[PurchaseOrderLine]:
    """``count`` more one-line orders of one unit each, booked in bulk and carried by the
    processes to one approved PO, received in full by one receipt; returns its lines."""
    for purchase_order in purchase_orders_in_bulk(world, count, approve=True, lines_per_po=count):
        receipt_create(
            actor=world.users["receiver"],
            purchase_order=purchase_order,
            lines=[
                ReceiptLineInput(purchase_order_line=line, quantity=line.quantity)
                for line in purchase_order.lines.all()
            ],
        )
    return list(PurchaseOrderLine.objects.filter(billed_quantity=0).order_by("-pk")[:count])


def released_in_bulk(world, count: int) -> None:
    """``count`` more released shipments (one pick wave, one shipment per order)."""
    received_in_bulk(world, count)
    release(world)


def shipped_in_bulk(world, count: int) -> None:
    """``count`` more one-line orders shipped, one shipment each."""
    released_in_bulk(world, count)
    for shipment in Shipment.objects.filter(status=ShipmentStatus.RELEASED):
        shipment_ship_confirm(actor=world.users["shipper"], shipment=shipment)


def invoiced_in_bulk(world, count: int) -> None:
    """``count`` more shipped orders, each billed by its own AR invoice (Import AutoInvoice)."""
    shipped_in_bulk(world, count)
    autoinvoice_import(actor=world.users["ar"])


def ap_invoices_in_bulk(world, count: int) -> None:
    """``count`` more draft AP invoices, one per received PO line."""
    for po_line in received_in_bulk(world, count):
        ap_invoice_create(
            actor=world.users["ap"],
            purchase_order=po_line.purchase_order,
            supplier_invoice_number=f"BULK-{po_line.pk}",
            invoice_date=timezone.localdate(),
            lines=[APLineInput(purchase_order_line=po_line, quantity=Decimal("1"))],
        )
