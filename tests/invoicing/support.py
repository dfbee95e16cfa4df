"""Invoicing documents at the stages the correction tests start from."""

from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoicing.models import ARInvoice, ARStatus
from invoicing.services import ap_invoice_validate, ar_invoice_complete, autoinvoice_import
from orchestration.services import Remainder, purchase_order_line_close_short
from receiving.services import ReceiptLineInput, receipt_create
from tests.helpers import enter_ap_invoice, receive, ship


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


def draft_ar_invoice(world, drive_to_po, quantity="2") -> ARInvoice:
    """A Back-to-Back line received, shipped and invoiced by AutoInvoice: its draft."""
    order, [po_line] = drive_to_po(("SRV-DL380-G11", quantity))
    receive(world, po_line, quantity)
    ship(world)
    autoinvoice_import(actor=world.users["ar"])
    return ARInvoice.objects.get(sales_order=order)


def complete_ar_invoice(world, drive_to_po, quantity="2"):
    """A Back-to-Back line received, shipped, invoiced by AutoInvoice and completed."""
    invoice = draft_ar_invoice(world, drive_to_po, quantity)
    return ar_invoice_complete(actor=world.users["ar"], invoice=invoice)


def reinvoice_and_complete(world) -> ARInvoice:
    """Run Import AutoInvoice again (after a cancellation) and complete the one new draft."""
    autoinvoice_import(actor=world.users["ar"])
    return ar_invoice_complete(
        actor=world.users["ar"], invoice=ARInvoice.objects.get(status=ARStatus.DRAFT)
    )


def price_hold(world, po_line):
    """Receive 2 on ``po_line`` and validate an invoice of 2 above the PO price: the
    invoice On Hold and its one price hold."""
    receive(world, po_line, "2")
    invoice = ap_invoice_validate(
        actor=world.users["ap"],
        invoice=enter_ap_invoice(world, po_line, "2", unit_price=Decimal("40000.00")),
    )
    [hold] = invoice.holds.all()
    return invoice, hold


def queries_of(call, *args, **kwargs):
    """(how many queries ``call(*args, **kwargs)`` sends, what it returns)."""
    with CaptureQueriesContext(connection) as queries:
        result = call(*args, **kwargs)
    return len(queries), result


def draft_ar_invoice_of_lines(world, drive_to_po, count: int) -> ARInvoice:
    """The draft AutoInvoice makes of one order of ``count`` one-unit lines, each carried
    to a PO, received in full and shipped."""
    order, po_lines = drive_to_po(*[("SRV-DL380-G11", "1")] * count)
    by_purchase_order = defaultdict(list)
    for po_line in po_lines:
        by_purchase_order[po_line.purchase_order].append(po_line)
    for purchase_order, lines in by_purchase_order.items():
        receipt_create(
            actor=world.users["receiver"],
            purchase_order=purchase_order,
            lines=[
                ReceiptLineInput(purchase_order_line=line, quantity=line.quantity) for line in lines
            ],
        )
    ship(world, sales_order=order)
    autoinvoice_import(actor=world.users["ar"])
    return ARInvoice.objects.get(sales_order=order, status=ARStatus.DRAFT)
