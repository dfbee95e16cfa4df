"""Acceptance 6: an order of one stocked and one Back-to-Back line ships and bills both;
a stocked line never makes a supply order and waits as Backordered without stock."""

from decimal import Decimal

import pytest

from inventory.models import OnHandBalance
from inventory.services import stock_adjust
from invoicing.models import ARInvoice
from invoicing.services import ar_invoice_complete, autoinvoice_import
from orchestration.consistency import check_consistency
from orders.models import LineStatus
from procurement.models import SupplyOrder
from procurement.services import orders_progress
from receiving.services import ReceiptLineInput, receipt_create
from shipping.models import Shipment
from shipping.services import shipment_ship_confirm
from tests.helpers import place_order, release

pytestmark = pytest.mark.django_db

CABLE = "CBL-CAT6-3M"


def cable_on_hand(world):
    balance = OnHandBalance.objects.get(item=world.items[CABLE])
    return balance.quantity, balance.reserved_quantity


def test_a_mixed_order_ships_and_bills_both_lines(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "1"), (CABLE, "10"))
    orders_progress(actor=world.users["manager"], sales_order=order)
    server, cable = order.lines.order_by("line_number")
    cable.refresh_from_db()
    assert cable.status == LineStatus.AWAITING_SHIPPING
    assert cable_on_hand(world) == (Decimal("500"), Decimal("10"))
    assert not SupplyOrder.objects.filter(sales_order_line=cable).exists()

    receipt_create(
        actor=world.users["receiver"],
        purchase_order=po_line.purchase_order,
        lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=Decimal("1"))],
    )
    release(world)
    shipment = Shipment.objects.get()
    assert shipment.lines.count() == 2
    shipment_ship_confirm(actor=world.users["shipper"], shipment=shipment)
    autoinvoice_import(actor=world.users["ar"])
    invoice = ARInvoice.objects.get()
    ar_invoice_complete(actor=world.users["ar"], invoice=invoice)

    assert invoice.total_amount == Decimal("48500.00") + 10 * Decimal("4.50")
    for line in (server, cable):
        line.refresh_from_db()
        assert line.status == LineStatus.CLOSED
    assert cable_on_hand(world) == (Decimal("490"), Decimal("0"))
    assert check_consistency() == []


def test_a_stocked_line_without_enough_stock_waits_backordered(world):
    order = place_order(world, (CABLE, "600"))
    orders_progress(actor=world.users["manager"], sales_order=order)
    line = order.lines.get()
    assert (line.status, line.reserved_quantity) == (LineStatus.BACKORDERED, Decimal("500"))

    stock_adjust(
        actor=world.users["admin"],
        item=world.items[CABLE],
        warehouse=world.warehouses["M1"],
        quantity=Decimal("100"),
        reason="count",
    )
    orders_progress(actor=world.users["manager"])
    line.refresh_from_db()
    assert (line.status, line.reserved_quantity) == (LineStatus.AWAITING_SHIPPING, Decimal("600"))
    assert check_consistency() == []
