"""Acceptance 2: every step taken out of order is refused with a clear message and leaves
the database exactly as it was."""

from decimal import Decimal

import pytest

from b2b_portal.errors import ApplicationError, TransitionRefused, ValidationRefused
from invoicing.services import APLineInput, ap_invoice_create, autoinvoice_import
from orders.exceptions import ItemNotBookable
from orders.models import LineStatus
from orders.services import sales_order_book
from procurement.services import purchase_order_approve
from receiving.services import ReceiptLineInput, receipt_create
from tests.helpers import place_order, release, snapshot

pytestmark = pytest.mark.django_db


def assert_refused(error_class, match, action):
    before = snapshot()
    with pytest.raises(error_class, match=match):
        action()
    assert snapshot() == before


def test_ship_before_receipt_is_refused(world, drive_to_po):
    order, _ = drive_to_po(("SRV-DL380-G11", "2"))
    assert_refused(
        ValidationRefused,
        "No reserved lines are waiting",
        lambda: release(world, sales_order=order),
    )


def test_invoicing_before_shipment_bills_nothing(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    receipt_create(
        actor=world.users["receiver"],
        purchase_order=po_line.purchase_order,
        lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=Decimal("2"))],
    )
    before = snapshot()
    result = autoinvoice_import(actor=world.users["ar"])
    assert (result.examined, result.created) == (0, 0)
    assert snapshot() == before
    assert order.lines.get().status == LineStatus.AWAITING_SHIPPING


def test_ap_invoice_on_unapproved_po_is_refused(world, drive_to_po, today):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"), approve=False)
    assert_refused(
        TransitionRefused,
        "only an approved PO can be invoiced",
        lambda: ap_invoice_create(
            actor=world.users["ap"],
            purchase_order=po_line.purchase_order,
            supplier_invoice_number="INV-1",
            invoice_date=today,
            lines=[APLineInput(purchase_order_line=po_line, quantity=Decimal("2"))],
        ),
    )


def test_receiving_on_unapproved_po_is_refused(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"), approve=False)
    assert_refused(
        TransitionRefused,
        "only an approved, open purchase order can be received",
        lambda: receipt_create(
            actor=world.users["receiver"],
            purchase_order=po_line.purchase_order,
            lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=Decimal("1"))],
        ),
    )


def test_approving_twice_is_refused(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "1"))
    assert_refused(
        TransitionRefused,
        "is Open: it cannot approve now",
        lambda: purchase_order_approve(
            actor=world.users["buyer"], purchase_order=po_line.purchase_order
        ),
    )


def test_approving_without_the_approver_permission_is_refused(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    assert_refused(
        ApplicationError,
        "not allowed to approve",
        lambda: purchase_order_approve(
            actor=world.users["clerk"], purchase_order=po_line.purchase_order
        ),
    )


@pytest.mark.parametrize(
    "attribute, label",
    [
        ("back_to_back_enabled", "Back-to-Back Enabled"),
        ("purchased", "Purchased"),
        ("purchasable", "Purchasable"),
    ],
)
def test_booking_without_an_item_attribute_names_it(world, attribute, label):
    item = world.items["SRV-R760-XA"]
    setattr(item, attribute, False)
    item.save()
    order = place_order(world, ("SRV-DL380-G11", "1"), ("SRV-R760-XA", "1"), book=False)
    assert_refused(
        ItemNotBookable,
        f"Line 2: item SRV-R760-XA .* missing: {label}\\.",
        lambda: sales_order_book(actor=world.users["clerk"], sales_order=order),
    )
    assert {line.status for line in order.lines.all()} == {LineStatus.ENTERED}
