"""Booking locks only the order's lines, and two clerks booking one order at once book it once."""

from decimal import Decimal

import pytest
from django.utils import timezone

from b2b_portal.errors import ValidationRefused
from orders.importing import PO_ALREADY_SENT, ImportFailure, OrderEntry, sales_orders_import
from orders.models import LineStatus, SalesOrder, SalesOrderLine
from orders.services import OrderLineInput, sales_order_book
from processes.models import ProcessRun
from tests.helpers import place_order
from tests.locking.interleaving import uncommitted_meanwhile
from tests.locking.support import (
    assert_locks_only_own_rows,
    lock_order,
    locking_statements,
    run_concurrently,
)

LINES = (("SRV-DL380-G11", "1"), ("SRV-R760-XA", "2"))


@pytest.mark.django_db
def test_sales_order_book_locks_only_the_order_lines(world):
    order = place_order(world, *LINES, book=False)

    statements = locking_statements(
        lambda: sales_order_book(actor=world.users["clerk"], sales_order=order)
    )

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == ["orders_salesorderline"]
    assert set(order.lines.values_list("status", flat=True)) == {LineStatus.BOOKED}


@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_one_order_at_once_book_it_once(world):
    order = place_order(world, *LINES, book=False)

    def book():
        return sales_order_book(actor=world.users["clerk"], sales_order=order)

    outcomes = run_concurrently(book, book)

    [booked] = [outcome for outcome in outcomes if isinstance(outcome, SalesOrder)]
    [refused] = [outcome for outcome in outcomes if isinstance(outcome, ValidationRefused)]
    assert booked.pk == order.pk
    assert refused.message == f"{order} has no entered lines to book."
    booked_rows = SalesOrderLine.history.filter(order_id=order.pk, history_change_reason="booked")
    assert booked_rows.count() == len(LINES)
    assert not order.lines.filter(status=LineStatus.ENTERED).exists()
    # One Progress Order queued, by the booking that went through.
    assert ProcessRun.objects.filter(process="progress_order").count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_po_number_imported_twice_at_the_same_instant_is_made_once(world):
    """A feed retrying while its first send is still being written: the retry waits on
    the customer's lock, then finds the order the first made and is refused."""
    entry = OrderEntry(
        business_unit=world.units["US1"],
        customer=world.customers["C-1001"],
        warehouse=world.warehouses["M1"],
        requested_date=timezone.localdate(),
        customer_po_number="EDI-RETRY",
        lines=[OrderLineInput(item=world.items["SRV-DL380-G11"], quantity=Decimal(1))],
    )

    def send():
        return sales_orders_import(actor=world.users["clerk"], entries=[entry], book=False)

    with uncommitted_meanwhile(send):
        retry = send()

    [order] = SalesOrder.objects.filter(customer_po_number="EDI-RETRY")
    assert retry.created == []
    assert retry.failed == [
        ImportFailure(
            index=0,
            message=PO_ALREADY_SENT.format(customer="C-1001", po="EDI-RETRY", order=order.number),
        )
    ]
