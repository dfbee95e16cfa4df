"""The invoice corrections lock only their own rows in the documented order, and race
safely: a draft AR invoice completed and cancelled at once ends one way only; two Import
AutoInvoice runs after a cancellation bill the lines once; an AP invoice cancelled and
validated at once ends one way only."""

from decimal import Decimal

import pytest
from django.db import IntegrityError

from b2b_portal.errors import TransitionRefused
from invoicing.models import APInvoice, APStatus, ARInvoice, ARInvoiceLine, ARStatus
from invoicing.services import (
    ap_invoice_adjust_to_received,
    ap_invoice_cancel,
    ap_invoice_validate,
    ar_invoice_cancel,
    ar_invoice_complete,
    autoinvoice_import,
)
from orders.models import LineStatus
from tests.invoicing.support import draft_ar_invoice, stuck_hold
from tests.locking.support import (
    assert_locks_only_own_rows,
    lock_order,
    locking_statements,
    run_concurrently,
)


@pytest.mark.django_db
def test_ar_cancel_locks_invoice_shipment_lines_then_sales_order_lines(world, drive_to_po):
    invoice = draft_ar_invoice(world, drive_to_po)
    statements = locking_statements(
        lambda: ar_invoice_cancel(actor=world.users["ar"], invoice=invoice, reason="wrong")
    )
    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == [
        "invoicing_arinvoice",
        "shipping_shipmentline",
        "orders_salesorderline",
    ]


@pytest.mark.django_db
def test_adjust_to_received_locks_invoice_po_po_lines_then_holds(world, drive_to_po):
    invoice, _ = stuck_hold(world, drive_to_po)
    hold = invoice.holds.get()
    statements = locking_statements(
        lambda: ap_invoice_adjust_to_received(actor=world.users["ap"], hold=hold, reason="1 came")
    )
    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == [
        "invoicing_apinvoice",
        "procurement_purchaseorder",
        "procurement_purchaseorderline",
        "invoicing_apinvoicehold",
    ]


@pytest.mark.django_db(transaction=True)
def test_a_draft_completed_and_cancelled_at_once_ends_one_way(world, drive_to_po):
    invoice = draft_ar_invoice(world, drive_to_po)
    outcomes = run_concurrently(
        lambda: ar_invoice_complete(actor=world.users["ar"], invoice=invoice),
        lambda: ar_invoice_cancel(actor=world.users["ar"], invoice=invoice, reason="wrong"),
    )
    [done] = [outcome for outcome in outcomes if isinstance(outcome, ARInvoice)]
    [refused] = [outcome for outcome in outcomes if isinstance(outcome, TransitionRefused)]
    invoice.refresh_from_db()
    line = invoice.lines.get().sales_order_line
    line.refresh_from_db()
    if invoice.status == ARStatus.COMPLETE:
        assert "only a draft invoice can be cancelled" in refused.message
        assert (line.status, line.invoiced_quantity) == (LineStatus.CLOSED, Decimal("2"))
    else:
        assert invoice.status == ARStatus.CANCELLED and done.status == ARStatus.CANCELLED
        assert (line.status, line.invoiced_quantity) == (LineStatus.SHIPPED, Decimal("0"))


@pytest.mark.django_db(transaction=True)
def test_two_autoinvoice_runs_after_a_cancellation_bill_once(world, drive_to_po):
    invoice = draft_ar_invoice(world, drive_to_po)
    ar_invoice_cancel(actor=world.users["ar"], invoice=invoice, reason="wrong date")

    def run():
        return autoinvoice_import(actor=world.users["ar"])

    outcomes = run_concurrently(run, run)
    # skip_locked leaves the line to one run; a run that read before the other committed
    # meets the constraint (IntegrityError) and bills nothing.
    assert all(
        not isinstance(outcome, Exception) or isinstance(outcome, IntegrityError)
        for outcome in outcomes
    )
    live = ARInvoiceLine.objects.filter(is_cancelled=False)
    assert live.count() == 1
    line = live.get().sales_order_line
    assert (line.status, line.invoiced_quantity) == (LineStatus.BILLED, Decimal("2"))


@pytest.mark.django_db(transaction=True)
def test_an_ap_invoice_cancelled_and_validated_at_once_ends_one_way(world, drive_to_po):
    invoice, po_line = stuck_hold(world, drive_to_po)
    outcomes = run_concurrently(
        lambda: ap_invoice_cancel(actor=world.users["ap"], invoice=invoice, reason="wrong"),
        lambda: ap_invoice_validate(actor=world.users["ap"], invoice=invoice),
    )
    invoice.refresh_from_db()
    po_line.refresh_from_db()
    assert invoice.status in (APStatus.CANCELLED, APStatus.ON_HOLD)
    if invoice.status == APStatus.CANCELLED:
        assert not invoice.has_open_holds()
        assert any(isinstance(o, APInvoice) for o in outcomes)
    assert po_line.billed_quantity == Decimal("0")
