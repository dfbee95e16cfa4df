"""Acceptance 2 and 3 of change management: quantity changes at each stage, and a short
shipment closed as final with either choice for the rest."""

from datetime import timedelta
from decimal import Decimal

import pytest

from b2b_portal.errors import ValidationRefused
from inventory.models import OnHandBalance
from invoicing.models import ARInvoice
from invoicing.services import (
    APLineInput,
    ap_invoice_create,
    ap_invoice_validate,
    ar_invoice_complete,
    autoinvoice_import,
)
from orchestration.consistency import check_consistency
from orchestration.models import BusinessException, ExceptionKind
from orchestration.services import (
    Remainder,
    exception_acknowledge,
    purchase_order_line_close_short,
)
from orders.models import LineStatus
from procurement.models import (
    POLineStatus,
    PurchaseOrderLine,
    RequisitionLine,
    SupplyOrder,
    SupplyStatus,
)
from procurement.services import (
    orders_progress,
    purchase_order_lines_flag_late,
    purchase_orders_autocreate,
    supply_orders_generate,
)
from shipping.models import Shipment
from shipping.services import shipment_ship_confirm
from tests.helpers import change, place_order, receive, release, snapshot

pytestmark = pytest.mark.django_db


def ship_and_bill_everything(world):
    release(world)
    for shipment in Shipment.objects.filter(status="RELEASED"):
        shipment_ship_confirm(actor=world.users["shipper"], shipment=shipment)
    autoinvoice_import(actor=world.users["ar"])
    for invoice in ARInvoice.objects.filter(status="DRAFT"):
        ar_invoice_complete(actor=world.users["ar"], invoice=invoice)


# --- Quantity changes at each stage ---------------------------------------------------


@pytest.mark.parametrize("quantity", ["3", "1"])
def test_change_before_any_supply(world, quantity):
    line = place_order(world, ("SRV-DL380-G11", "2")).lines.get()
    change(world, line, quantity)
    line.refresh_from_db()
    assert (line.quantity, line.status) == (Decimal(quantity), LineStatus.BOOKED)
    assert line.history.latest().history_change_reason == "quantity changed: customer asked"


@pytest.mark.parametrize("quantity", ["3", "1"])
def test_change_with_a_supply_order_and_a_requisition(world, quantity):
    order = place_order(world, ("SRV-DL380-G11", "2"))
    orders_progress(actor=world.users["manager"], sales_order=order)
    supply_orders_generate(actor=world.users["buyer"])
    change(world, order.lines.get(), quantity)
    assert SupplyOrder.objects.get().quantity == Decimal(quantity)
    assert RequisitionLine.objects.get().quantity == Decimal(quantity)
    assert check_consistency() == []


@pytest.mark.parametrize("quantity", ["3", "1"])
def test_change_with_a_po_not_yet_sent(world, drive_to_po, quantity):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"), approve=False)
    change(world, order.lines.get(), quantity)
    po_line.refresh_from_db()
    assert po_line.quantity == Decimal(quantity)
    assert not BusinessException.objects.exists()


def test_increase_once_the_supplier_has_the_po_adds_a_pegged_line(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    original = order.lines.get()
    split = change(world, original, "5")
    assert (split.quantity, split.status, split.split_from) == (
        Decimal("3"),
        LineStatus.BOOKED,
        original,
    )
    original.refresh_from_db()
    po_line.refresh_from_db()
    assert (original.quantity, po_line.quantity) == (Decimal("2"), Decimal("2"))
    orders_progress(actor=world.users["manager"], sales_order=order)
    supply_orders_generate(actor=world.users["buyer"])
    purchase_orders_autocreate(actor=world.users["buyer"])
    assert PurchaseOrderLine.objects.get(sales_order_line=split).quantity == Decimal("3")
    assert check_consistency() == []


def test_decrease_once_the_supplier_has_the_po_asks_the_buyer_to_tell_them(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "3"))
    change(world, order.lines.get(), "2")
    po_line.refresh_from_db()
    assert (po_line.quantity, po_line.status) == (Decimal("2"), POLineStatus.OPEN)
    exception = BusinessException.objects.get()
    assert (exception.kind, exception.quantity) == (ExceptionKind.SUPPLIER_CHANGE, Decimal("1"))
    exception_acknowledge(actor=world.users["buyer"], exception=exception, reason="emailed")
    exception.refresh_from_db()
    assert (exception.status, exception.resolved_by.username) == ("RESOLVED", "buyer")
    assert check_consistency() == []


def test_decrease_below_received_leaves_surplus_stock(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "3"))
    receive(world, po_line, "2")
    line = order.lines.get()
    change(world, line, "1")
    line.refresh_from_db()
    po_line.refresh_from_db()
    assert (line.quantity, line.reserved_quantity, line.status) == (
        Decimal("1"),
        Decimal("1"),
        LineStatus.AWAITING_SHIPPING,
    )
    assert (po_line.quantity, po_line.status) == (Decimal("2"), POLineStatus.CLOSED_FOR_RECEIVING)
    assert SupplyOrder.objects.get().status == SupplyStatus.RECEIVED
    balance = OnHandBalance.objects.get(item=line.item)
    assert (balance.quantity, balance.reserved_quantity) == (Decimal("2"), Decimal("1"))
    kinds = sorted(BusinessException.objects.values_list("kind", "quantity"))
    assert kinds == [
        (ExceptionKind.SUPPLIER_CHANGE, Decimal("1")),
        (ExceptionKind.SURPLUS_STOCK, Decimal("1")),
    ]
    assert check_consistency() == []


def test_a_stocked_line_that_grows_past_its_reservation_is_backordered(world):
    order = place_order(world, ("CBL-CAT6-3M", "10"))
    orders_progress(actor=world.users["manager"], sales_order=order)
    line = order.lines.get()
    change(world, line, "600")
    line.refresh_from_db()
    assert (line.status, line.reserved_quantity) == (LineStatus.BACKORDERED, Decimal("10"))
    change(world, line, "5")
    line.refresh_from_db()
    assert (line.status, line.reserved_quantity) == (LineStatus.AWAITING_SHIPPING, Decimal("5"))
    assert check_consistency() == []


def test_a_shipped_line_cannot_change(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "1"))
    receive(world, po_line, "1")
    ship_and_bill_everything(world)
    before = snapshot()
    with pytest.raises(ValidationRefused, match="can no longer change"):
        change(world, order.lines.get(), "2")
    assert snapshot() == before


# --- Short shipment closed as final ---------------------------------------------------


@pytest.mark.parametrize("remainder", [Remainder.RESUPPLY, Remainder.CANCEL])
def test_short_shipment_closed_as_final(world, drive_to_po, remainder):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "3"))
    receive(world, po_line, "1")
    original = order.lines.get()

    split = purchase_order_line_close_short(
        actor=world.users["buyer"],
        purchase_order_line=po_line,
        remainder=remainder,
        reason="supplier discontinued the model",
    )

    original.refresh_from_db()
    po_line.refresh_from_db()
    assert (original.quantity, original.status) == (Decimal("1"), LineStatus.AWAITING_SHIPPING)
    assert (po_line.quantity, po_line.status) == (Decimal("1"), POLineStatus.CLOSED_FOR_RECEIVING)
    assert (split.quantity, split.split_from) == (Decimal("2"), original)
    assert po_line.sales_order_line == original  # each split line is pegged on its own
    if remainder == Remainder.CANCEL:
        assert split.status == LineStatus.CANCELLED
    else:
        orders_progress(actor=world.users["manager"], sales_order=order)
        split.refresh_from_db()
        assert split.status == LineStatus.AWAITING_SUPPLY
        assert SupplyOrder.objects.get(sales_order_line=split).quantity == Decimal("2")

    ship_and_bill_everything(world)
    ap_invoice = ap_invoice_create(
        actor=world.users["ap"],
        purchase_order=po_line.purchase_order,
        supplier_invoice_number="SHORT-1",
        invoice_date=po_line.promised_date,
        lines=[APLineInput(purchase_order_line=po_line, quantity=Decimal("1"))],
    )
    assert ap_invoice_validate(actor=world.users["ap"], invoice=ap_invoice).status == "VALIDATED"
    original.refresh_from_db()
    assert original.status == LineStatus.CLOSED
    ar_invoice = ARInvoice.objects.get()
    assert ar_invoice.total_amount == Decimal("48500.00")  # what shipped
    assert ap_invoice.total_amount == Decimal("39800.00")  # what was received
    assert check_consistency() == []


def test_closing_short_with_nothing_received_is_refused(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    before = snapshot()
    with pytest.raises(ValidationRefused, match="Nothing was received"):
        purchase_order_line_close_short(
            actor=world.users["buyer"],
            purchase_order_line=po_line,
            remainder=Remainder.CANCEL,
            reason="x",
        )
    assert snapshot() == before


def test_two_decreases_add_up_on_one_open_exception(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "4"))
    line = order.lines.get()
    change(world, line, "3")
    change(world, line, "1")
    exception = BusinessException.objects.get()
    assert (exception.kind, exception.quantity) == (ExceptionKind.SUPPLIER_CHANGE, Decimal("3"))
    po_line.refresh_from_db()
    assert po_line.quantity == Decimal("1")
    assert check_consistency() == []


def test_a_decrease_that_completes_a_late_line_clears_the_late_flags(world, drive_to_po, today):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "3"))
    receive(world, po_line, "2")
    PurchaseOrderLine.objects.filter(pk=po_line.pk).update(promised_date=today - timedelta(1))
    purchase_order_lines_flag_late(actor=world.users["ops"])
    line = order.lines.get()
    line.refresh_from_db()
    assert line.at_risk
    change(world, line, "2")
    line.refresh_from_db()
    po_line.refresh_from_db()
    assert (po_line.status, po_line.late_since, line.at_risk) == (
        POLineStatus.CLOSED_FOR_RECEIVING,
        None,
        False,
    )
    assert line.status == LineStatus.AWAITING_SHIPPING
