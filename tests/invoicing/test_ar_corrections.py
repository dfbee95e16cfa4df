"""Issue 10, item 5: a draft AR invoice is cancelled and its lines billed again exactly
once; a complete invoice is credited (quantity or amount, whole or per line) and the
credited quantity is billed again or the line stays closed, as the memo says."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from b2b_portal.errors import PermissionRefused, TransitionRefused, ValidationRefused
from invoicing.models import (
    ARCreditMemoLine,
    ARInvoice,
    ARInvoiceLine,
    ARStatus,
    CreditDisposition,
)
from invoicing.services import (
    CreditLineInput,
    ar_credit_memo_create,
    ar_invoice_cancel,
    ar_invoice_complete,
    autoinvoice_import,
    whole_invoice_credit,
)
from orchestration.consistency import check_consistency
from orchestration.peg_trace import peg_trace
from orders.models import LineStatus, SalesOrderLine
from tests.helpers import snapshot
from tests.invoicing.support import complete_ar_invoice, draft_ar_invoice, reinvoice_and_complete

pytestmark = pytest.mark.django_db
PRICE = Decimal("48500.00")


def ar_net(order) -> Decimal:
    """What the customer owes on the order: live invoice lines less credits."""
    billed = sum(
        line.amount
        for line in ARInvoiceLine.objects.filter(invoice__sales_order=order, is_cancelled=False)
    )
    credited = sum(
        line.amount for line in ARCreditMemoLine.objects.filter(memo__invoice__sales_order=order)
    )
    return billed - credited


@pytest.fixture
def draft_invoice(world, drive_to_po):
    return draft_ar_invoice(world, drive_to_po)


def test_cancelled_draft_is_billed_again_exactly_once(world, draft_invoice):
    so_line = draft_invoice.sales_order.lines.get()
    invoice = ar_invoice_cancel(
        actor=world.users["ar"], invoice=draft_invoice, reason="customer PO number missing"
    )

    so_line.refresh_from_db()
    assert (invoice.status, invoice.cancel_reason) == (
        ARStatus.CANCELLED,
        "customer PO number missing",
    )
    assert invoice.lines.get().is_cancelled
    assert (so_line.status, so_line.invoiced_quantity) == (LineStatus.SHIPPED, Decimal("0"))
    record = invoice.history.latest()
    assert record.history_user == world.users["ar"]
    assert "customer PO number missing" in record.history_change_reason
    assert so_line.history.latest().history_user == world.users["ar"]

    runs = [autoinvoice_import(actor=world.users["ar"]) for _ in range(3)]
    assert [run.created for run in runs] == [1, 0, 0]
    new_invoice = ARInvoice.objects.exclude(pk=invoice.pk).get()
    so_line.refresh_from_db()
    assert new_invoice.lines.get().quantity == Decimal("2")
    assert (so_line.status, so_line.invoiced_quantity) == (LineStatus.BILLED, Decimal("2"))
    assert ar_net(so_line.order) == 2 * PRICE


def test_second_live_billing_of_a_shipment_line_is_refused_by_the_database(world, draft_invoice):
    line = draft_invoice.lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        ARInvoiceLine.objects.create(
            invoice=draft_invoice,
            shipment_line=line.shipment_line,
            sales_order_line=line.sales_order_line,
            quantity=line.quantity,
            unit_price=line.unit_price,
            tax_rate=line.tax_rate,
        )


def test_cancel_refused_for_a_complete_invoice_or_without_reason(world, draft_invoice):
    before = snapshot()
    with pytest.raises(ValidationRefused, match="Say why"):
        ar_invoice_cancel(actor=world.users["ar"], invoice=draft_invoice, reason=" ")
    with pytest.raises(PermissionRefused):
        ar_invoice_cancel(actor=world.users["ap"], invoice=draft_invoice, reason="x")
    assert snapshot() == before
    invoice = ar_invoice_complete(actor=world.users["ar"], invoice=draft_invoice)
    before = snapshot()
    with pytest.raises(TransitionRefused, match="only a draft invoice can be cancelled"):
        ar_invoice_cancel(actor=world.users["ar"], invoice=invoice, reason="x")
    assert snapshot() == before


def test_credit_one_of_two_and_invoice_it_again(world, drive_to_po):
    invoice = complete_ar_invoice(world, drive_to_po)
    line = invoice.lines.get()
    memo = ar_credit_memo_create(
        actor=world.users["ar"],
        invoice=invoice,
        reason="one unit billed before the customer accepted it",
        lines=[
            CreditLineInput(
                invoice_line=line, quantity=Decimal("1"), disposition=CreditDisposition.REINVOICE
            )
        ],
    )
    so_line = line.sales_order_line
    so_line.refresh_from_db()
    assert memo.number.startswith("CM-") and memo.total_amount == PRICE
    assert (so_line.status, so_line.invoiced_quantity) == (LineStatus.SHIPPED, Decimal("1"))
    assert ar_net(invoice.sales_order) == PRICE
    assert memo.history.get().history_user == world.users["ar"]
    assert so_line.history.latest().history_user == world.users["ar"]

    runs = [autoinvoice_import(actor=world.users["ar"]) for _ in range(2)]
    assert [run.created for run in runs] == [1, 0]
    again = ARInvoice.objects.exclude(pk=invoice.pk).get()
    assert (again.lines.get().quantity, again.lines.get().reinvoice_of) == (
        Decimal("1"),
        memo.lines.get(),
    )
    ar_invoice_complete(actor=world.users["ar"], invoice=again)
    so_line.refresh_from_db()
    assert (so_line.status, so_line.invoiced_quantity) == (LineStatus.CLOSED, Decimal("2"))
    # Shipped x price, the credited unit billed again as the memo says.
    assert ar_net(invoice.sales_order) == 2 * PRICE


def test_credit_one_of_two_closing_the_line(world, drive_to_po):
    invoice = complete_ar_invoice(world, drive_to_po)
    line = invoice.lines.get()
    ar_credit_memo_create(
        actor=world.users["ar"],
        invoice=invoice,
        reason="one unit damaged, customer keeps it",
        lines=[CreditLineInput(invoice_line=line, quantity=Decimal("1"))],
    )
    so_line = line.sales_order_line
    so_line.refresh_from_db()
    assert (so_line.status, so_line.invoiced_quantity) == (LineStatus.CLOSED, Decimal("2"))
    assert autoinvoice_import(actor=world.users["ar"]).created == 0
    # Shipped x price minus the credit.
    assert ar_net(invoice.sales_order) == 2 * PRICE - PRICE


def test_amount_credit_and_whole_invoice_credit(world, drive_to_po):
    invoice = complete_ar_invoice(world, drive_to_po)
    line = invoice.lines.get()
    ar_credit_memo_create(
        actor=world.users["ar"],
        invoice=invoice,
        reason="price dispute settled",
        lines=[CreditLineInput(invoice_line=line, amount=Decimal("500.00"))],
    )
    assert ar_net(invoice.sales_order) == 2 * PRICE - Decimal("500.00")
    memo = ar_credit_memo_create(
        actor=world.users["ar"],
        invoice=invoice,
        reason="order returned in full",
        lines=whole_invoice_credit(invoice, CreditDisposition.CLOSE),
    )
    assert memo.total_amount == 2 * PRICE - Decimal("500.00")
    assert ar_net(invoice.sales_order) == 0
    before = snapshot()
    with pytest.raises(ValidationRefused, match="Enter a quantity or an amount"):
        ar_credit_memo_create(
            actor=world.users["ar"],
            invoice=invoice,
            reason="again",
            lines=whole_invoice_credit(invoice, CreditDisposition.CLOSE),
        )
    assert snapshot() == before


@pytest.mark.parametrize(
    "given, message",
    [
        ({"quantity": Decimal("3")}, "at most 2.000 more can be credited"),
        ({"amount": Decimal("100000.00")}, "left to credit"),
        ({"disposition": CreditDisposition.REINVOICE}, "say which quantity to invoice again"),
        ({"quantity": Decimal("-1")}, "cannot be negative"),
    ],
)
def test_credit_refusals_leave_the_database_as_before(world, drive_to_po, given, message):
    invoice = complete_ar_invoice(world, drive_to_po)
    line = invoice.lines.get()
    before = snapshot()
    with pytest.raises(ValidationRefused, match=message):
        ar_credit_memo_create(
            actor=world.users["ar"],
            invoice=invoice,
            reason="why",
            lines=[CreditLineInput(invoice_line=line, **given)],
        )
    assert snapshot() == before


def test_credit_refused_for_a_draft_invoice_or_without_reason(world, draft_invoice):
    line = draft_invoice.lines.get()
    before = snapshot()
    with pytest.raises(TransitionRefused, match="only a complete invoice can be credited"):
        ar_credit_memo_create(
            actor=world.users["ar"],
            invoice=draft_invoice,
            reason="why",
            lines=[CreditLineInput(invoice_line=line, quantity=Decimal("1"))],
        )
    with pytest.raises(ValidationRefused, match="Say why"):
        ar_credit_memo_create(
            actor=world.users["ar"],
            invoice=draft_invoice,
            reason="",
            lines=[CreditLineInput(invoice_line=line, quantity=Decimal("1"))],
        )
    assert snapshot() == before


def test_consistency_holds_through_cancel_credit_and_reinvoice(world, draft_invoice):
    ar_invoice_cancel(actor=world.users["ar"], invoice=draft_invoice, reason="wrong date")
    assert check_consistency() == []
    invoice = reinvoice_and_complete(world)
    line = invoice.lines.get()
    ar_credit_memo_create(
        actor=world.users["ar"],
        invoice=invoice,
        reason="one unit billed early",
        lines=[
            CreditLineInput(
                invoice_line=line, quantity=Decimal("1"), disposition=CreditDisposition.REINVOICE
            )
        ],
    )
    assert check_consistency() == []
    autoinvoice_import(actor=world.users["ar"])
    assert check_consistency() == []

    # A credit of more than was invoiced, written past the service, is caught.
    ARCreditMemoLine.objects.filter(invoice_line=line).update(quantity=Decimal("3"))
    assert any("credited 3.000" in message for message in check_consistency())


def test_peg_trace_shows_cancelled_invoices_and_credit_memos(world, draft_invoice):
    ar_invoice_cancel(actor=world.users["ar"], invoice=draft_invoice, reason="wrong date")
    invoice = reinvoice_and_complete(world)
    memo = ar_credit_memo_create(
        actor=world.users["ar"],
        invoice=invoice,
        reason="damaged in transit",
        lines=[CreditLineInput(invoice_line=invoice.lines.get(), quantity=Decimal("1"))],
    )
    so_line = SalesOrderLine.objects.select_related("order__customer", "item").get(
        pk=invoice.lines.get().sales_order_line_id
    )
    stages = dict(peg_trace(so_line).stages)
    cancelled, billed = stages["AR invoice"]
    assert (cancelled.number, cancelled.status) == (draft_invoice.number, "Cancelled")
    assert "cancelled: wrong date" in cancelled.note
    assert cancelled.history[-1].history_user == world.users["ar"]
    assert "wrong date" in cancelled.history[-1].history_change_reason
    assert billed.status == "Complete"
    [credit] = stages["AR credit memo"]
    assert (credit.number, credit.quantity) == (memo.number, Decimal("1"))
    assert "ar: damaged in transit" in credit.note
    assert credit.history[0].history_user == world.users["ar"]


def test_still_billing_leaves_out_cancelled_and_wholly_credited_lines(world, draft_invoice):
    shipment_line = draft_invoice.lines.get().shipment_line
    billing = ARInvoiceLine.objects.filter(shipment_line=shipment_line)
    assert billing.still_billing().count() == 1
    ar_invoice_cancel(actor=world.users["ar"], invoice=draft_invoice, reason="wrong date")
    assert billing.still_billing().count() == 0
    invoice = reinvoice_and_complete(world)
    line = invoice.lines.get()
    ar_credit_memo_create(
        actor=world.users["ar"],
        invoice=invoice,
        reason="half",
        lines=[CreditLineInput(invoice_line=line, quantity=Decimal("1"))],
    )
    assert list(billing.still_billing()) == [line]
    ar_credit_memo_create(
        actor=world.users["ar"],
        invoice=invoice,
        reason="the rest",
        lines=whole_invoice_credit(invoice, CreditDisposition.CLOSE),
    )
    assert billing.still_billing().count() == 0
