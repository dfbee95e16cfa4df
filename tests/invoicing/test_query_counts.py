"""Issue 13, item 1: an invoicing service costs the same number of queries for a 5-line
and a 200-line document (one statement per document and table, never one per line), and
at most 0.5 a line at 100 lines."""

from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.units import require_business_unit
from invoicing.models import APInvoiceHold, APStatus, ARInvoice, ARStatus, CreditDisposition
from invoicing.services import (
    APLineInput,
    ap_debit_memo_create,
    ap_invoice_adjust_to_received,
    ap_invoice_cancel,
    ap_invoice_create,
    ap_invoice_validate,
    ar_credit_memo_create,
    ar_invoice_cancel,
    ar_invoice_complete,
    autoinvoice_import,
    whole_invoice_credit,
)
from orders.models import LineStatus, SalesOrderLine
from tests.invoicing.support import draft_ar_invoice_of_lines, queries_of
from tests.web.shipping.support import received_in_bulk

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
SIZES = (5, 200)
# 0.5 queries a line at 100 lines.
CEILING = 50


def assert_constant(counts: list[dict]) -> None:
    """Each service's count is the same at every size and under the ceiling."""
    few, many = counts
    assert few == many
    assert max(few.values()) <= CEILING, few


def warm(world, user) -> None:
    """Load the user's permissions and check their unit once, so that no measured call pays
    for what is read once per user."""
    user.get_all_permissions()
    require_business_unit(user, world.units["US1"].pk)


def enter(world, po_lines, quantity: str, number: str):
    return ap_invoice_create(
        actor=world.users["ap"],
        purchase_order=po_lines[0].purchase_order,
        supplier_invoice_number=number,
        invoice_date=timezone.localdate(),
        lines=[
            APLineInput(purchase_order_line=line, quantity=Decimal(quantity)) for line in po_lines
        ],
    )


def ap_counts(world, size: int) -> dict:
    """The queries of each AP service on an invoice of ``size`` lines, and its outcomes."""
    ap = world.users["ap"]
    po_lines = received_in_bulk(world, size)
    counts = {}
    # Billed 2 of the 1 received on every line: one quantity hold a line.
    counts["ap_invoice_create"], invoice = queries_of(enter, world, po_lines, "2", f"Q{size}")
    assert invoice.lines.count() == size

    counts["ap_invoice_validate, held"], invoice = queries_of(
        ap_invoice_validate, actor=ap, invoice=invoice
    )
    assert invoice.status == APStatus.ON_HOLD
    holds = list(invoice.holds.order_by("pk"))
    assert len(holds) == size

    counts["ap_invoice_adjust_to_received"], invoice = queries_of(
        ap_invoice_adjust_to_received, actor=ap, hold=holds[0], reason="received 1"
    )
    assert invoice.holds.filter(released_at__isnull=True).count() == size - 1

    counts["ap_invoice_cancel"], invoice = queries_of(
        ap_invoice_cancel, actor=ap, invoice=invoice, reason="wrong"
    )
    assert invoice.status == APStatus.CANCELLED
    released = APInvoiceHold.history.filter(invoice=invoice, released_at__isnull=False)
    assert set(released.values_list("history_user__username", "history_change_reason")) == {
        ("ap", "invoice cancelled: wrong"),
        ("ap", "released by validation"),
    }
    assert released.count() == size

    invoice = enter(world, po_lines, "1", f"Q{size}-again")
    counts["ap_invoice_validate, clean"], invoice = queries_of(
        ap_invoice_validate, actor=ap, invoice=invoice
    )
    assert invoice.status == APStatus.VALIDATED
    assert {line.billed_quantity for line in invoice.purchase_order.lines.all()} == {1}

    purchase_order = invoice.purchase_order
    counts["ap_debit_memo_create"], _ = queries_of(
        ap_debit_memo_create,
        actor=ap,
        supplier=purchase_order.supplier,
        kind="PRICE",
        amount=Decimal("10.00"),
        reason="price dispute",
        business_unit=purchase_order.business_unit,
        purchase_order=purchase_order,
    )
    return counts


def ar_counts(world, drive_to_po, size: int) -> dict:
    """The queries of each AR service on an invoice of ``size`` lines, and its outcomes."""
    ar = world.users["ar"]
    draft = draft_ar_invoice_of_lines(world, drive_to_po, size)
    order = draft.sales_order
    counts = {}
    counts["ar_invoice_cancel"], draft = queries_of(
        ar_invoice_cancel, actor=ar, invoice=draft, reason="wrong"
    )
    assert draft.status == ARStatus.CANCELLED
    assert set(order.lines.values_list("status", flat=True)) == {LineStatus.SHIPPED}

    autoinvoice_import(actor=ar)
    invoice = ARInvoice.objects.get(sales_order=order, status=ARStatus.DRAFT)
    counts["ar_invoice_complete"], invoice = queries_of(
        ar_invoice_complete, actor=ar, invoice=invoice
    )
    closed = SalesOrderLine.history.filter(order=order, status=LineStatus.CLOSED)
    assert closed.count() == size
    assert set(closed.values_list("history_user__username", "history_change_reason")) == {
        ("ar", f"billed on {invoice}")
    }
    assert set(order.lines.values_list("status", flat=True)) == {LineStatus.CLOSED}

    counts["whole_invoice_credit"], inputs = queries_of(
        whole_invoice_credit, invoice, CreditDisposition.REINVOICE
    )
    assert len(inputs) == size
    counts["ar_credit_memo_create"], memo = queries_of(
        ar_credit_memo_create, actor=ar, invoice=invoice, lines=inputs, reason="returned"
    )
    assert memo.lines.count() == size
    assert set(memo.lines.values_list("amount", flat=True)) == {invoice.lines.first().amount}
    assert set(order.lines.values_list("status", flat=True)) == {LineStatus.SHIPPED}
    return counts


def test_ap_invoice_services_cost_the_same_for_5_and_200_lines(world):
    warm(world, world.users["ap"])
    assert_constant([ap_counts(world, size) for size in SIZES])


def test_ar_invoice_services_cost_the_same_for_5_and_200_lines(world, drive_to_po):
    warm(world, world.users["ar"])
    assert_constant([ar_counts(world, drive_to_po, size) for size in SIZES])
