"""A PO's stored totals equal its live lines' after the changes of the cycle that reach PO
lines: a sales order line's quantity change (before and after the supplier has the PO), its
cancellation and its order's, a close short, and the supplier's cancellation of an
exception. And the consistency check reports a PO, AP invoice or receipt whose stored
totals its lines contradict."""

from decimal import Decimal

import pytest

from invoicing.models import APInvoice
from orchestration.consistency import check_consistency
from orchestration.models import BusinessException, ExceptionKind
from orchestration.services import (
    Remainder,
    exception_cancel_with_supplier,
    purchase_order_line_close_short,
    sales_order_cancel,
)
from procurement.models import PurchaseOrder
from receiving.models import Receipt
from tests.helpers import cancel, change, enter_ap_invoice, receive
from tests.stored_totals import po_totals

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("quantity", ["3", "1"])
def test_a_quantity_change_before_the_supplier_has_the_po(world, drive_to_po, quantity):
    order, [po_line, other] = drive_to_po(
        ("SRV-DL380-G11", "2"), ("SRV-DL380-G11", "1"), approve=False
    )
    change(world, order.lines.get(pk=po_line.sales_order_line_id), quantity)
    assert po_totals(po_line.purchase_order) == (
        po_line.unit_price * Decimal(quantity) + other.amount,
        2,
    )


def test_a_decrease_once_the_supplier_has_the_po(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "3"))
    change(world, order.lines.get(), "2")
    assert po_totals(po_line.purchase_order) == (po_line.unit_price * 2, 1)


def test_cancelling_a_line_on_a_po_not_yet_sent(world, drive_to_po):
    order, [po_line, other] = drive_to_po(
        ("SRV-DL380-G11", "2"), ("SRV-DL380-G11", "1"), approve=False
    )
    cancel(world, order.lines.get(pk=po_line.sales_order_line_id))
    assert po_totals(po_line.purchase_order) == (other.amount, 1)


def test_cancelling_an_order_whose_po_is_not_yet_sent(world, drive_to_po):
    order, po_lines = drive_to_po(("SRV-DL380-G11", "2"), ("SRV-R760-XA", "1"), approve=False)
    sales_order_cancel(actor=world.users["clerk"], sales_order=order, reason="not needed")
    for po_line in po_lines:
        assert po_totals(po_line.purchase_order) == (Decimal("0.00"), 0)


def test_a_cancelled_line_the_supplier_then_cancels(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "3"))
    receive(world, po_line, "1")
    cancel(world, order.lines.get())  # unpegged: the PO line is still live
    assert po_totals(po_line.purchase_order) == (po_line.unit_price * 3, 1)

    exception = BusinessException.objects.get(kind=ExceptionKind.SUPPLIER_CANCELLATION)
    exception_cancel_with_supplier(actor=world.users["buyer"], exception=exception, reason="ok")

    assert po_totals(po_line.purchase_order) == (po_line.unit_price * 1, 1)


def test_closing_a_line_short(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "3"))
    receive(world, po_line, "1")
    purchase_order_line_close_short(
        actor=world.users["buyer"],
        purchase_order_line=po_line,
        remainder=Remainder.CANCEL,
        reason="discontinued",
    )
    assert po_totals(po_line.purchase_order) == (po_line.unit_price, 1)
    assert check_consistency() == []


def test_stored_totals_the_lines_contradict_are_reported(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    receipt = receive(world, po_line, "2")
    invoice = enter_ap_invoice(world, po_line, "2")
    assert check_consistency() == []

    # Damage on purpose, as a writer that forgot to retotal would leave it.
    PurchaseOrder.objects.filter(pk=po_line.purchase_order_id).update(line_count=5)
    APInvoice.objects.filter(pk=invoice.pk).update(lines_total=1)
    Receipt.objects.filter(pk=receipt.pk).update(total_quantity=3)

    violations = check_consistency()
    assert len(violations) == 3
    amount = po_line.amount
    assert violations[0] == (
        f"{po_line.purchase_order} stores lines_total {amount}, line_count 5; "
        f"its lines add up to {amount}, 1."
    )
    assert violations[1] == f"{invoice} stores lines_total 1.00; its lines add up to {amount}."
    assert violations[2] == (
        f"{receipt} stores line_count 1, total_quantity 3.000; its lines add up to 1, 2.000."
    )
