"""The end state of the whole Back-to-Back cycle for one line of 2 servers, whichever way it
was driven (the pages in Chromium, the REST API alone): both tests end on the same chain."""

from inventory.models import Reservation
from invoicing.models import APInvoice, APStatus, ARInvoice, ARStatus
from orders.models import LineStatus, SalesOrderLine
from procurement.models import (
    POLineStatus,
    POStatus,
    RequisitionLine,
    RequisitionStatus,
    SupplyOrder,
    SupplyStatus,
)
from receiving.models import Receipt
from shipping.models import Shipment, ShipmentStatus

# The statuses a Back-to-Back line goes through and who moved it into each, as the Peg
# Trace's "Time in each status" lists them.
LINE_STATUS_PERIODS = [
    ("Entered", "clerk"),
    ("Booked", "clerk"),
    ("Awaiting Supply", "clerk"),  # Progress Order, queued by the clerk's booking
    ("Awaiting Shipping", "receiver"),
    ("Shipped", "shipper"),
    ("Billed", "ar"),
    ("Closed", "ar"),
]


def chain_in_the_database(so_line: SalesOrderLine) -> dict[str, list[tuple[str, str]]]:
    """The same chain from the database, each document checked at the end of its cycle."""
    supply = SupplyOrder.objects.get(sales_order_line=so_line)
    requisition_line = RequisitionLine.objects.select_related("requisition").get(
        sales_order_line=so_line
    )
    po_line = so_line.purchase_order_lines.select_related("purchase_order").get()
    receipt = Receipt.objects.get(lines__sales_order_line=so_line)
    reservation = Reservation.objects.select_related("warehouse").get(sales_order_line=so_line)
    shipment = Shipment.objects.get(lines__sales_order_line=so_line)
    ap_invoice = APInvoice.objects.get(lines__purchase_order_line=po_line)
    ar_invoice = ARInvoice.objects.get(lines__sales_order_line=so_line)

    assert so_line.status == LineStatus.CLOSED
    assert so_line.shipped_quantity == so_line.invoiced_quantity == 2
    assert so_line.reserved_quantity == 0
    assert supply.status == SupplyStatus.RECEIVED
    assert requisition_line.status == RequisitionStatus.ORDERED
    assert po_line.status == POLineStatus.CLOSED
    assert po_line.received_quantity == po_line.billed_quantity == 2
    # Received and billed in full: the AP validation closed the PO.
    assert po_line.purchase_order.status == POStatus.CLOSED
    assert reservation.quantity == 0  # issued to the shipment
    assert shipment.status == ShipmentStatus.SHIPPED
    assert ap_invoice.status == APStatus.VALIDATED
    assert ar_invoice.status == ARStatus.COMPLETE
    return {
        "Sales order line": [(str(so_line), "Closed")],
        "Supply order": [(supply.number, "Received")],
        "Requisition": [(str(requisition_line), "Ordered")],
        "Purchase order": [(str(po_line), "Closed")],
        "Receipt": [(receipt.number, "Received")],
        "Reservation": [(f"Reservation in {reservation.warehouse.code}", "Issued")],
        "Shipment": [(shipment.number, "Shipped")],
        "AP invoice": [(ap_invoice.number, "Validated")],
        "AR invoice": [(ar_invoice.number, "Complete")],
    }
