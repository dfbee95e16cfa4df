"""Issue 13, the closing step: ``ar_invoices_complete`` completes many AR invoices at once,
all or nothing, in a constant number of statements."""

import pytest

from b2b_portal.errors import PermissionRefused, TransitionRefused, ValidationRefused
from catalog.units import require_business_unit
from invoicing.models import ARInvoice, ARStatus
from invoicing.services import NO_INVOICE_SELECTED, ar_invoice_cancel, ar_invoices_complete
from orders.models import LineStatus, SalesOrderLine
from tests.helpers import snapshot, unit_user
from tests.invoicing.support import queries_of
from tests.locking.support import (
    assert_locks_only_own_rows,
    lock_order,
    locking_statements,
    run_concurrently,
)
from tests.web.shipping.support import invoiced_in_bulk

pytestmark = pytest.mark.django_db


def drafts(world, count: int) -> list[ARInvoice]:
    """``count`` more draft invoices, one per one-line order, in pk order."""
    invoiced_in_bulk(world, count)
    return list(ARInvoice.objects.filter(status=ARStatus.DRAFT).order_by("pk"))


def test_the_selected_invoices_complete_and_their_lines_close(world):
    ar = world.users["ar"]
    invoices = drafts(world, 3)

    completed = ar_invoices_complete(actor=ar, invoices=invoices)

    assert [invoice.pk for invoice in completed] == [invoice.pk for invoice in invoices]
    stored = ARInvoice.objects.filter(pk__in=[invoice.pk for invoice in invoices])
    assert set(stored.values_list("status", "completed_by")) == {(ARStatus.COMPLETE, ar.pk)}
    assert set(SalesOrderLine.objects.values_list("status", flat=True)) == {LineStatus.CLOSED}
    completions = ARInvoice.history.filter(status=ARStatus.COMPLETE)
    assert sorted(
        completions.values_list("id", "history_user__username", "history_change_reason")
    ) == [(invoice.pk, "ar", "completed") for invoice in invoices]
    closings = SalesOrderLine.history.filter(status=LineStatus.CLOSED)
    assert set(
        closings.values_list("order_id", "history_user__username", "history_change_reason")
    ) == {(invoice.sales_order_id, "ar", f"billed on {invoice}") for invoice in invoices}


def test_the_statements_are_the_same_for_5_and_50_invoices(world):
    ar = world.users["ar"]
    # Loaded and checked once, so that neither measured call pays for them.
    ar.get_all_permissions()
    require_business_unit(ar, world.units["US1"].pk)
    few, _ = queries_of(ar_invoices_complete, actor=ar, invoices=drafts(world, 5))
    many, completed = queries_of(ar_invoices_complete, actor=ar, invoices=drafts(world, 50))

    assert len(completed) == 50
    assert few == many
    assert ARInvoice.objects.filter(status=ARStatus.COMPLETE).count() == 55
    assert SalesOrderLine.objects.filter(status=LineStatus.CLOSED).count() == 55


def test_one_invoice_no_longer_draft_refuses_the_whole_selection(world):
    ar = world.users["ar"]
    invoices = drafts(world, 3)
    ar_invoice_cancel(actor=ar, invoice=invoices[1], reason="sent to the wrong address")
    before = snapshot()

    with pytest.raises(TransitionRefused) as refused:
        ar_invoices_complete(actor=ar, invoices=invoices)

    assert refused.value.message == (
        f"{invoices[1]} is Cancelled: only a Draft invoice can be completed, so none of the "
        "3 selected was. Reload the list and select the drafts again."
    )
    assert snapshot() == before


def test_another_units_invoice_is_refused(world):
    invoices = drafts(world, 2)
    eu_accountant = unit_user(world, "ar-eu", "AR Accountant", "EU1")
    before = snapshot()

    with pytest.raises(PermissionRefused):
        ar_invoices_complete(actor=eu_accountant, invoices=invoices)

    assert snapshot() == before


def test_a_user_without_the_permission_is_refused(world):
    invoices = drafts(world, 1)
    before = snapshot()

    with pytest.raises(PermissionRefused) as refused:
        ar_invoices_complete(actor=world.users["ap"], invoices=invoices)

    assert refused.value.message == "ap is not allowed to complete AR invoices."
    assert snapshot() == before


def test_an_empty_selection_is_refused(world):
    with pytest.raises(ValidationRefused) as refused:
        ar_invoices_complete(actor=world.users["ar"], invoices=[])
    assert refused.value.message == NO_INVOICE_SELECTED


def test_the_batch_locks_the_invoices_then_their_lines(world):
    invoices = drafts(world, 3)

    statements = locking_statements(
        lambda: ar_invoices_complete(actor=world.users["ar"], invoices=invoices)
    )

    assert_locks_only_own_rows(statements)
    assert len(statements) == 2  # one statement a table, whatever the count
    assert lock_order(statements) == ["invoicing_arinvoice", "orders_salesorderline"]


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_selections_at_once_complete_each_invoice_once(world):
    first, shared, last = drafts(world, 3)
    ar = world.users["ar"]

    outcomes = run_concurrently(
        lambda: ar_invoices_complete(actor=ar, invoices=[first, shared]),
        lambda: ar_invoices_complete(actor=ar, invoices=[shared, last]),
    )

    [completed] = [outcome for outcome in outcomes if isinstance(outcome, list)]
    [refused] = [outcome for outcome in outcomes if isinstance(outcome, TransitionRefused)]
    assert f"{shared} is Complete" in refused.message
    done = {invoice.pk for invoice in completed}
    statuses = dict(ARInvoice.objects.values_list("pk", "status"))
    assert {pk for pk, status in statuses.items() if status == ARStatus.COMPLETE} == done
    assert ARInvoice.history.filter(status=ARStatus.COMPLETE).count() == 2
    assert SalesOrderLine.history.filter(status=LineStatus.CLOSED).count() == 2
