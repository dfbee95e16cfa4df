"""Acceptance 1: the whole Back-to-Back cycle, driven through the services by the demo
user of each role, for an order of 2 high-end servers."""

from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import OnHandBalance, Reservation
from invoicing.models import APInvoice, ARInvoice
from invoicing.services import (
    APLineInput,
    ap_invoice_create,
    ap_invoice_pay,
    ap_invoice_validate,
    ar_invoice_complete,
    autoinvoice_import,
)
from orders.models import LineStatus
from procurement.models import (
    POStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    RequisitionLine,
    RequisitionStatus,
    SupplyOrder,
    SupplyStatus,
)
from procurement.services import (
    orders_progress,
    purchase_order_approve,
    purchase_order_submit,
    purchase_orders_create_from_requisitions,
    supply_orders_generate,
)
from receiving.services import ReceiptLineInput, receipt_create
from shipping.models import Shipment, ShipmentStatus
from shipping.services import shipment_ship_confirm
from tests.helpers import history_users, place_order, release

pytestmark = pytest.mark.django_db


def test_two_servers_go_from_booking_to_both_invoices(world):
    users = world.users
    order = place_order(world, ("SRV-DL380-G11", "2"))
    line = order.lines.get()
    assert line.status == LineStatus.BOOKED

    supply_order = _progress_order(users, order, line)
    requisition_line = _generate_supply_orders(users, supply_order, line)
    purchase_order, po_line = _buy(users, requisition_line, line)
    receipt = _receive(users, purchase_order, po_line, line)
    shipment = _pick_and_ship(world, line)
    ap_invoice = _enter_and_pay_ap_invoice(users, purchase_order, po_line)
    ar_invoice = _autoinvoice_and_complete(users, order)

    line.refresh_from_db()
    supply_order.refresh_from_db()
    purchase_order.refresh_from_db()
    assert line.status == LineStatus.CLOSED
    assert order.status == LineStatus.CLOSED
    assert supply_order.status == SupplyStatus.RECEIVED
    assert purchase_order.status == POStatus.CLOSED  # received and billed in full
    assert (line.shipped_quantity, line.invoiced_quantity) == (Decimal("2"), Decimal("2"))

    # Every step left a history row naming the user who took it.
    assert history_users(line) == ["clerk", "clerk", "manager", "receiver", "shipper", "ar", "ar"]
    assert history_users(supply_order) == ["manager", "buyer", "buyer", "receiver"]
    assert history_users(requisition_line) == ["buyer", "buyer"]
    assert history_users(purchase_order) == ["buyer", "buyer", "buyer", "receiver", "ap"]
    assert history_users(receipt) == ["receiver"]
    assert history_users(shipment) == ["shipper", "shipper"]
    assert history_users(ap_invoice) == ["ap", "ap", "ap"]
    assert history_users(ar_invoice) == ["ar", "ar"]
    assert (
        APInvoice.objects.count() == ARInvoice.objects.count() == PurchaseOrder.objects.count() == 1
    )


def _progress_order(users, order, line) -> SupplyOrder:
    """Progress Order: a supply order stands behind the line."""
    orders_progress(actor=users["manager"], sales_order=order)
    supply_order = SupplyOrder.objects.get(sales_order_line=line)
    assert supply_order.quantity == Decimal("2")
    line.refresh_from_db()
    assert line.status == LineStatus.AWAITING_SUPPLY
    return supply_order


def _generate_supply_orders(users, supply_order, line) -> RequisitionLine:
    """Generate Supply Orders: a requisition line from the rank-1 supplier."""
    result = supply_orders_generate(actor=users["buyer"])
    assert (result.examined, result.created, result.failures) == (1, 1, [])
    requisition_line = RequisitionLine.objects.get(supply_order=supply_order)
    assert requisition_line.sales_order_line == line
    assert requisition_line.supplier.number == "S-100"
    assert requisition_line.unit_price == Decimal("39800.00")
    return requisition_line


def _buy(users, requisition_line, line) -> tuple[PurchaseOrder, PurchaseOrderLine]:
    """The buyer builds the PO, submits and approves it: its line is pegged to the order's."""
    [purchase_order] = purchase_orders_create_from_requisitions(
        actor=users["buyer"], requisition_lines=[requisition_line]
    )
    purchase_order_submit(actor=users["buyer"], purchase_order=purchase_order)
    purchase_order = purchase_order_approve(actor=users["buyer"], purchase_order=purchase_order)
    assert purchase_order.status == POStatus.OPEN
    po_line = PurchaseOrderLine.objects.get(purchase_order=purchase_order)
    assert po_line.sales_order_line == line  # the hard peg
    assert PurchaseOrderLine.objects.filter(sales_order_line=line).count() == 1
    requisition_line.refresh_from_db()
    assert requisition_line.status == RequisitionStatus.ORDERED
    return purchase_order, po_line


def _receive(users, purchase_order, po_line, line):
    """Receiving reserves the 2 servers for this line and nobody else."""
    receipt = receipt_create(
        actor=users["receiver"],
        purchase_order=purchase_order,
        lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=Decimal("2"))],
    )
    reservation = Reservation.objects.get()
    assert (reservation.sales_order_line, reservation.quantity) == (line, Decimal("2"))
    line.refresh_from_db()
    assert line.status == LineStatus.AWAITING_SHIPPING
    assert line.reserved_quantity == Decimal("2")
    return receipt


def _pick_and_ship(world, line) -> Shipment:
    """Pick release and ship confirm: the servers leave, nothing stays on hand."""
    users = world.users
    wave = release(world)
    shipment = Shipment.objects.get(pick_wave=wave)
    shipment_ship_confirm(actor=users["shipper"], shipment=shipment)
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.SHIPPED
    assert shipment.lines.get().quantity == Decimal("2")
    balance = OnHandBalance.objects.get(item=line.item)
    assert (balance.quantity, balance.reserved_quantity) == (Decimal("0"), Decimal("0"))
    return shipment


def _enter_and_pay_ap_invoice(users, purchase_order, po_line) -> APInvoice:
    """The AP invoice matches the PO and the receipt, and is paid."""
    ap_invoice = ap_invoice_create(
        actor=users["ap"],
        purchase_order=purchase_order,
        supplier_invoice_number="NW-7781",
        invoice_date=timezone.localdate(),
        lines=[APLineInput(purchase_order_line=po_line, quantity=Decimal("2"))],
    )
    ap_invoice = ap_invoice_validate(actor=users["ap"], invoice=ap_invoice)
    ap_invoice = ap_invoice_pay(actor=users["ap"], invoice=ap_invoice)
    assert ap_invoice.status == "PAID"
    assert ap_invoice.total_amount == 2 * Decimal("39800.00")
    return ap_invoice


def _autoinvoice_and_complete(users, order) -> ARInvoice:
    """AutoInvoice bills the shipped line at the selling price; the invoice is completed."""
    result = autoinvoice_import(actor=users["ar"])
    assert (result.examined, result.created) == (1, 1)
    ar_invoice = ARInvoice.objects.get(sales_order=order)
    assert ar_invoice.total_amount == 2 * Decimal("48500.00")
    ar_invoice_complete(actor=users["ar"], invoice=ar_invoice)
    return ar_invoice
