"""AP matching with holds, and AR invoices at the sales price."""

from decimal import Decimal

import pytest

from b2b_portal.errors import TransitionRefused, ValidationRefused
from invoicing.models import APStatus, ARInvoice, HoldReason
from invoicing.services import (
    ap_invoice_hold_release,
    ap_invoice_pay,
    ap_invoice_validate,
    autoinvoice_import,
)
from tests.helpers import enter_ap_invoice, receive, ship, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def po_line(world, drive_to_po):
    _, [line] = drive_to_po(("SRV-DL380-G11", "2"))
    return line


def test_billing_over_received_holds_until_the_goods_arrive(world, po_line):
    receive(world, po_line, "1")
    invoice = ap_invoice_validate(
        actor=world.users["ap"], invoice=enter_ap_invoice(world, po_line, "2")
    )
    assert invoice.status == APStatus.ON_HOLD
    [hold] = invoice.holds.all()
    assert hold.reason == HoldReason.QUANTITY_BILLED_OVER_RECEIVED
    assert "billed 2, but only 1 received" in hold.message
    po_line.refresh_from_db()
    assert po_line.billed_quantity == Decimal("0")

    with pytest.raises(TransitionRefused, match="only a validated invoice can be paid"):
        ap_invoice_pay(actor=world.users["ap"], invoice=invoice)
    with pytest.raises(ValidationRefused, match="cannot be released by hand"):
        ap_invoice_hold_release(actor=world.users["ap"], hold=hold, reason="supplier says so")

    receive(world, po_line, "1")
    invoice = ap_invoice_validate(actor=world.users["ap"], invoice=invoice)
    hold.refresh_from_db()
    assert invoice.status == APStatus.VALIDATED
    assert hold.released_at is not None and hold.released_by == world.users["ap"]
    po_line.refresh_from_db()
    assert po_line.billed_quantity == Decimal("2")
    assert (po_line.status, po_line.purchase_order.status) == ("CLOSED", "CLOSED")
    with pytest.raises(TransitionRefused):
        ap_invoice_validate(actor=world.users["ap"], invoice=invoice)


def test_price_over_po_holds_and_release_records_who_and_why(world, po_line):
    receive(world, po_line, "2")
    invoice = enter_ap_invoice(world, po_line, "2", unit_price=Decimal("40000.00"))
    invoice = ap_invoice_validate(actor=world.users["ap"], invoice=invoice)
    [hold] = invoice.holds.all()
    assert (invoice.status, hold.reason) == (APStatus.ON_HOLD, HoldReason.PRICE_OVER_PO)

    ap_invoice_hold_release(actor=world.users["ap"], hold=hold, reason="price increase agreed")
    hold.refresh_from_db()
    invoice.refresh_from_db()
    assert (hold.released_by.username, hold.release_reason) == ("ap", "price increase agreed")
    assert hold.history.latest().history_user.username == "ap"
    assert invoice.status == APStatus.VALIDATED
    assert invoice.total_amount == Decimal("80000.00")


def test_price_within_supplier_tolerance_passes(world, po_line):
    supplier = po_line.purchase_order.supplier
    supplier.price_tolerance_percent = Decimal("1.00")
    supplier.save()
    receive(world, po_line, "2")
    invoice = enter_ap_invoice(world, po_line, "2", unit_price=Decimal("40100.00"))
    assert (
        ap_invoice_validate(actor=world.users["ap"], invoice=invoice).status == APStatus.VALIDATED
    )


def test_duplicate_supplier_invoice_number_is_refused(world, po_line):
    receive(world, po_line, "2")
    enter_ap_invoice(world, po_line, "1")
    before = snapshot()
    with pytest.raises(ValidationRefused, match="already entered"):
        enter_ap_invoice(world, po_line, "1")
    assert snapshot() == before


def test_autoinvoice_bills_at_sales_price_once(world, po_line):
    receive(world, po_line, "2")
    ship(world)
    first = autoinvoice_import(actor=world.users["ar"])
    second = autoinvoice_import(actor=world.users["ar"])
    assert (first.created, second.examined) == (1, 0)
    invoice = ARInvoice.objects.get()
    line = invoice.lines.get()
    assert (line.quantity, line.unit_price) == (Decimal("2"), Decimal("48500.00"))
    assert invoice.total_amount == Decimal("97000.00")
    assert line.sales_order_line.status == "BILLED"


@pytest.mark.parametrize(
    "price, number, message",
    [
        ("1000000000000", "INV-9", "between 0 and 999,999,999,999.99"),
        ("1.001", "INV-9", "at most 2 decimal places"),
        ("-1", "INV-9", "between 0"),
        (None, "X" * 61, "60 characters at most"),
    ],
)
def test_bad_ap_invoice_input_is_refused(world, po_line, price, number, message):
    receive(world, po_line, "2")
    before = snapshot()
    with pytest.raises(ValidationRefused, match=message):
        enter_ap_invoice(world, po_line, "1", unit_price=price and Decimal(price), number=number)
    assert snapshot() == before
