"""Issue 10, item 6: an AP invoice can be cancelled or adjusted while Draft or On Hold,
the stuck quantity hold is resolved both ways, and a debit memo claims money back."""

from decimal import Decimal

import pytest

from b2b_portal.errors import PermissionRefused, TransitionRefused, ValidationRefused
from invoicing.models import APDebitMemo, APStatus, DebitMemoKind, HoldReason
from invoicing.services import (
    ap_debit_memo_create,
    ap_invoice_adjust_to_received,
    ap_invoice_cancel,
    ap_invoice_line_adjust,
    ap_invoice_pay,
    ap_invoice_validate,
)
from procurement.models import POLineStatus, POStatus
from tests.helpers import enter_ap_invoice, receive, snapshot
from tests.invoicing.support import price_hold, stuck_hold

pytestmark = pytest.mark.django_db


@pytest.fixture
def po_line(world, drive_to_po):
    _, [line] = drive_to_po(("SRV-DL380-G11", "2"))
    return line


def test_stuck_hold_adjusted_to_received_validates_and_closes_the_po(world, drive_to_po):
    invoice, po_line = stuck_hold(world, drive_to_po)
    [hold] = invoice.holds.all()
    assert (invoice.status, hold.reason) == (
        APStatus.ON_HOLD,
        HoldReason.QUANTITY_BILLED_OVER_RECEIVED,
    )
    assert po_line.status == POLineStatus.CLOSED_FOR_RECEIVING

    invoice = ap_invoice_adjust_to_received(
        actor=world.users["ap"], hold=hold, reason="supplier billed the full order"
    )

    hold.refresh_from_db()
    po_line.refresh_from_db()
    line = invoice.lines.get()
    assert invoice.status == APStatus.VALIDATED
    assert line.quantity == Decimal("1")
    assert invoice.total_amount == line.unit_price
    assert hold.released_at is not None
    assert (po_line.billed_quantity, po_line.status) == (Decimal("1"), POLineStatus.CLOSED)
    assert po_line.purchase_order.status == POStatus.CLOSED
    record = line.history.latest()
    assert record.history_user == world.users["ap"]
    assert "supplier billed the full order" in record.history_change_reason
    assert "5.000" in record.history_change_reason


def test_stuck_hold_cancelled_releases_its_holds(world, drive_to_po):
    invoice, po_line = stuck_hold(world, drive_to_po)
    [hold] = invoice.holds.all()

    invoice = ap_invoice_cancel(actor=world.users["ap"], invoice=invoice, reason="wrong invoice")

    hold.refresh_from_db()
    po_line.refresh_from_db()
    assert (invoice.status, invoice.cancel_reason) == (APStatus.CANCELLED, "wrong invoice")
    assert hold.released_by == world.users["ap"] and "wrong invoice" in hold.release_reason
    assert po_line.billed_quantity == Decimal("0")
    record = invoice.history.latest()
    assert (record.history_user, record.history_change_reason) == (
        world.users["ap"],
        "cancelled: wrong invoice",
    )
    # The supplier's number is free again: the right invoice can be entered under it.
    assert enter_ap_invoice(world, po_line, "1").status == APStatus.DRAFT


def test_cancel_a_draft_invoice(world, po_line):
    invoice = enter_ap_invoice(world, po_line, "1")
    invoice = ap_invoice_cancel(actor=world.users["ap"], invoice=invoice, reason="duplicate")
    assert invoice.status == APStatus.CANCELLED


def test_cancel_refused_once_validated_paid_or_cancelled_or_without_reason(world, po_line):
    receive(world, po_line, "2")
    invoice = ap_invoice_validate(
        actor=world.users["ap"], invoice=enter_ap_invoice(world, po_line, "1")
    )
    for status in ("VALIDATED", "PAID"):
        if status == "PAID":
            invoice = ap_invoice_pay(actor=world.users["ap"], invoice=invoice)
        before = snapshot()
        with pytest.raises(
            TransitionRefused, match=f"is {status.title()}: only a Draft or On Hold"
        ):
            ap_invoice_cancel(actor=world.users["ap"], invoice=invoice, reason="why")
        with pytest.raises(TransitionRefused, match="only a Draft or On Hold"):
            ap_invoice_line_adjust(
                actor=world.users["ap"], line=invoice.lines.get(), quantity=1, reason="x"
            )
        assert snapshot() == before
    draft = enter_ap_invoice(world, po_line, "1", number="INV-2")
    before = snapshot()
    with pytest.raises(ValidationRefused, match="Say why"):
        ap_invoice_cancel(actor=world.users["ap"], invoice=draft, reason="  ")
    with pytest.raises(PermissionRefused):
        ap_invoice_cancel(actor=world.users["clerk"], invoice=draft, reason="why")
    assert snapshot() == before


def test_adjust_price_then_the_price_hold_clears(world, po_line):
    invoice, hold = price_hold(world, po_line)
    assert invoice.status == APStatus.ON_HOLD

    invoice = ap_invoice_line_adjust(
        actor=world.users["ap"],
        line=invoice.lines.get(),
        unit_price=po_line.unit_price,
        reason="supplier sent a corrected price",
    )

    hold.refresh_from_db()
    po_line.refresh_from_db()
    assert invoice.status == APStatus.VALIDATED
    assert invoice.lines.get().unit_price == po_line.unit_price
    assert hold.released_at is not None and hold.released_by_validation
    assert po_line.billed_quantity == Decimal("2")


def test_adjust_quantity_of_a_draft_and_refusals(world, po_line):
    receive(world, po_line, "1")
    invoice = enter_ap_invoice(world, po_line, "2")
    line = invoice.lines.get()
    before = snapshot()
    for kwargs, message in [
        ({"quantity": 0}, "greater than zero"),
        ({}, "Enter the new quantity or unit price"),
        ({"quantity": 1, "reason": ""}, "Say why"),
    ]:
        with pytest.raises(ValidationRefused, match=message):
            ap_invoice_line_adjust(
                actor=world.users["ap"], line=line, **{"reason": "typo", **kwargs}
            )
    assert snapshot() == before
    invoice = ap_invoice_line_adjust(actor=world.users["ap"], line=line, quantity=1, reason="typo")
    assert (invoice.status, invoice.lines.get().quantity) == (APStatus.VALIDATED, Decimal("1"))


def test_adjust_to_received_refused_when_nothing_is_left_to_bill(world, po_line):
    receive(world, po_line, "1")
    first = ap_invoice_validate(
        actor=world.users["ap"], invoice=enter_ap_invoice(world, po_line, "1")
    )
    assert first.status == APStatus.VALIDATED
    second = ap_invoice_validate(
        actor=world.users["ap"], invoice=enter_ap_invoice(world, po_line, "1", number="INV-2")
    )
    [hold] = second.holds.all()
    before = snapshot()
    with pytest.raises(ValidationRefused, match="cancel the invoice instead"):
        ap_invoice_adjust_to_received(actor=world.users["ap"], hold=hold, reason="short")
    assert snapshot() == before


def test_adjust_to_received_refused_for_a_price_hold(world, po_line):
    _, hold = price_hold(world, po_line)
    before = snapshot()
    with pytest.raises(ValidationRefused, match="Only a quantity hold"):
        ap_invoice_adjust_to_received(actor=world.users["ap"], hold=hold, reason="x")
    assert snapshot() == before


def test_debit_memo_for_a_return_to_vendor(world, po_line):
    purchase_order = po_line.purchase_order
    memo = ap_debit_memo_create(
        actor=world.users["ap"],
        supplier=purchase_order.supplier,
        purchase_order=purchase_order,
        business_unit=purchase_order.business_unit,
        kind=DebitMemoKind.RETURN_TO_VENDOR,
        amount=Decimal("38000.00"),
        reason="one server returned dead on arrival",
    )
    assert memo.number.startswith("DM-")
    assert (memo.amount, memo.currency_code) == (Decimal("38000.00"), purchase_order.currency_code)
    record = memo.history.get()
    assert record.history_user == world.users["ap"]
    assert "dead on arrival" in record.history_change_reason


def test_debit_memo_refusals(world, po_line):
    purchase_order = po_line.purchase_order
    arguments = {
        "supplier": purchase_order.supplier,
        "purchase_order": purchase_order,
        "business_unit": purchase_order.business_unit,
        "kind": DebitMemoKind.PRICE_DISPUTE,
        "amount": Decimal("10.00"),
        "reason": "overcharged",
    }
    before = snapshot()
    for change, error in [
        ({"amount": Decimal("0")}, ValidationRefused),
        ({"reason": ""}, ValidationRefused),
        ({"business_unit": world.units["EU1"], "purchase_order": None}, PermissionRefused),
    ]:
        with pytest.raises(error):
            ap_debit_memo_create(actor=world.users["ap"], **{**arguments, **change})
    with pytest.raises(PermissionRefused):
        ap_debit_memo_create(actor=world.users["ar"], **arguments)
    assert snapshot() == before
    assert not APDebitMemo.objects.exists()
