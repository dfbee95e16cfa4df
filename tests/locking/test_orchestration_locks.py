"""Cancellations, quantity changes, close short and the exception resolutions lock only their
own rows in the documented order; the peg is checked again once the locks are held; a cancel
and a quantity change of one line at once leave it consistent; two splits of one order at
once are refused with a message rather than a server error."""

import re
from decimal import Decimal

import pytest
from django.db import IntegrityError

from b2b_portal.errors import ApplicationError
from orchestration import locks as orchestration_locks
from orchestration.consistency import check_consistency
from orchestration.exceptions import (
    ORDER_CHANGED_MEANWHILE,
    SUPPLY_CHANGED_MEANWHILE,
    ChangedMeanwhile,
)
from orchestration.models import BusinessException, ExceptionKind, ExceptionStatus
from orchestration.services import (
    Remainder,
    exception_acknowledge,
    exception_cancel_with_supplier,
    exception_keep_as_stock,
    purchase_order_line_close_short,
    sales_order_cancel,
)
from orders.models import LineStatus, SalesOrderLine
from procurement.models import POLineStatus, PurchaseOrderLine
from tests.helpers import cancel, change, receive, snapshot
from tests.locking.interleaving import uncommitted_meanwhile
from tests.locking.support import (
    assert_locks_only_own_rows,
    lock_order,
    locking_statements,
    run_concurrently,
)

SERVER, GPU_SERVER = "SRV-DL380-G11", "SRV-R760-XA"
CHAIN = [
    "procurement_purchaseorder",
    "procurement_purchaseorderline",
    "procurement_requisitionline",
    "orders_salesorderline",
]


def close_short(world, po_line):
    return purchase_order_line_close_short(
        actor=world.users["buyer"],
        purchase_order_line=po_line,
        remainder=Remainder.RESUPPLY,
        reason="supplier has no more",
    )


@pytest.mark.django_db
def test_cancel_once_the_supplier_has_the_po_locks_the_chain_then_the_line_s_own_rows(
    world, drive_to_po
):
    order, _ = drive_to_po((SERVER, "2"))

    statements = locking_statements(lambda: cancel(world, order.lines.get()))

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == [
        *CHAIN,
        "procurement_supplyorder",
        "orchestration_businessexception",
    ]
    assert order.lines.get().status == LineStatus.CANCELLED


@pytest.mark.django_db
def test_cancel_of_a_line_on_a_draft_po_locks_only_its_own_rows(world, drive_to_po):
    order, [po_line] = drive_to_po((SERVER, "2"), approve=False)

    statements = locking_statements(lambda: cancel(world, order.lines.get()))

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == [*CHAIN, "procurement_supplyorder"]
    po_line.refresh_from_db()
    assert po_line.status == POLineStatus.CANCELLED


@pytest.mark.django_db
def test_cancelling_a_whole_order_takes_every_chain_lock_up_front(world, drive_to_po):
    order, _ = drive_to_po((SERVER, "1"), (GPU_SERVER, "1"))

    statements = locking_statements(
        lambda: sales_order_cancel(actor=world.users["clerk"], sales_order=order, reason="gone")
    )

    assert_locks_only_own_rows(statements)
    assert lock_order(statements)[: len(CHAIN)] == CHAIN
    assert set(order.lines.values_list("status", flat=True)) == {LineStatus.CANCELLED}


@pytest.mark.django_db
def test_cancelling_a_received_order_locks_its_balances_in_item_order_before_any_release(
    world, drive_to_po
):
    """Lines in the reverse of item order: released line after line, the balances would be
    locked the other way round from a receipt or shipment of the same items."""
    order, po_lines = drive_to_po((GPU_SERVER, "1"), (SERVER, "1"))
    for po_line in po_lines:
        receive(world, po_line, "1")

    statements = locking_statements(
        lambda: sales_order_cancel(actor=world.users["clerk"], sales_order=order, reason="gone")
    )

    assert_locks_only_own_rows(statements)
    assert lock_order(statements)[: len(CHAIN) + 1] == [*CHAIN, "inventory_onhandbalance"]
    # The first balance lock takes both, in item order (ORDER BY item_id), before any release.
    first = next(sql for sql in statements if 'FROM "inventory_onhandbalance"' in sql)
    assert 'ORDER BY "inventory_onhandbalance"."item_id" ASC' in first
    locked = re.search(r'"item_id" IN \(([^)]*)\)', first)[1]
    assert {int(item) for item in locked.split(", ")} == {
        world.items[number].pk for number in (SERVER, GPU_SERVER)
    }
    assert set(order.lines.values_list("status", flat=True)) == {LineStatus.CANCELLED}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "approve, quantity, tail",
    [
        (True, "1", ["orchestration_businessexception", "procurement_supplyorder"]),
        (False, "1", ["procurement_supplyorder"]),
        (True, "3", []),  # an increase once sent: a split line, supplied on its own
    ],
    ids=["decrease-with-supplier", "decrease-before-sent", "increase-with-supplier"],
)
def test_change_quantity_locks_only_its_own_rows(world, drive_to_po, approve, quantity, tail):
    order, _ = drive_to_po((SERVER, "2"), approve=approve)

    statements = locking_statements(lambda: change(world, order.lines.get(), quantity))

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == [*CHAIN, *tail]
    assert sum(order.lines.values_list("quantity", flat=True)) == Decimal(quantity)


@pytest.mark.django_db
def test_close_short_locks_the_po_the_po_line_the_line_then_its_supply_order(world, drive_to_po):
    order, [po_line] = drive_to_po((SERVER, "2"))
    receive(world, po_line, "1")

    statements = locking_statements(lambda: close_short(world, po_line))

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == [
        "procurement_purchaseorder",
        "procurement_purchaseorderline",
        "orders_salesorderline",
        "procurement_supplyorder",
    ]
    assert list(order.lines.order_by("line_number").values_list("quantity", flat=True)) == [
        Decimal("1"),
        Decimal("1"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("resolution", ["cancel_with_supplier", "keep_as_stock", "acknowledge"])
def test_exception_resolutions_lock_only_their_own_rows(world, drive_to_po, resolution):
    order, _ = drive_to_po((SERVER, "2"))
    line = order.lines.get()
    if resolution == "acknowledge":
        change(world, line, "1")
    else:
        cancel(world, line)
    exception = BusinessException.objects.get()
    service = {
        "cancel_with_supplier": exception_cancel_with_supplier,
        "keep_as_stock": exception_keep_as_stock,
        "acknowledge": exception_acknowledge,
    }[resolution]

    statements = locking_statements(
        lambda: service(actor=world.users["buyer"], exception=exception, reason="agreed")
    )

    assert_locks_only_own_rows(statements)
    before = ["procurement_purchaseorder", "procurement_purchaseorderline"]
    assert lock_order(statements) == [
        *(before if resolution == "cancel_with_supplier" else []),
        "orchestration_businessexception",
    ]
    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.RESOLVED


@pytest.mark.django_db
def test_a_po_line_pegged_between_the_read_and_the_locks_refuses_the_change(
    world, drive_to_po, monkeypatch
):
    order, [po_line] = drive_to_po((SERVER, "2"))
    line = order.lines.get()
    live_po_line = orchestration_locks._live_po_line
    reads = []

    def stale_first_read(sales_order_line_id):
        # The first read misses the PO line, as when AutoCreate commits it just after.
        reads.append(sales_order_line_id)
        return None if len(reads) == 1 else live_po_line(sales_order_line_id)

    monkeypatch.setattr(orchestration_locks, "_live_po_line", stale_first_read)
    before = snapshot()

    with pytest.raises(ChangedMeanwhile) as refused:
        cancel(world, line)

    assert refused.value.message == SUPPLY_CHANGED_MEANWHILE.format(line=line)
    assert snapshot() == before
    po_line.refresh_from_db()
    assert po_line.sales_order_line_id == line.pk


@pytest.mark.django_db(transaction=True)
def test_a_cancel_and_a_quantity_change_of_one_line_at_once_leave_it_consistent(world, drive_to_po):
    order, [po_line] = drive_to_po((SERVER, "2"))
    line = order.lines.get()

    outcomes = run_concurrently(lambda: cancel(world, line), lambda: change(world, line, "1"))

    cancelled, changed = outcomes
    assert isinstance(cancelled, SalesOrderLine), cancelled
    assert isinstance(changed, SalesOrderLine | ApplicationError), changed
    line.refresh_from_db()
    po_line.refresh_from_db()
    assert line.status == LineStatus.CANCELLED
    assert (po_line.sales_order_line_id, po_line.unpegged_from_id) == (None, line.pk)
    kinds = dict(BusinessException.objects.values_list("kind", "quantity"))
    if isinstance(changed, SalesOrderLine):  # the change went first, then the cancel
        assert line.quantity == po_line.quantity == Decimal("1")
        assert kinds == {
            ExceptionKind.SUPPLIER_CHANGE: Decimal("1"),
            ExceptionKind.SUPPLIER_CANCELLATION: Decimal("1"),
        }
    else:  # the cancel went first: the change found the line cancelled or unpegged
        assert changed.message in (
            f"{line} is Cancelled: its quantity can no longer change.",
            SUPPLY_CHANGED_MEANWHILE.format(line=line),
        )
        assert line.quantity == po_line.quantity == Decimal("2")
        assert kinds == {ExceptionKind.SUPPLIER_CANCELLATION: Decimal("2")}
    assert not PurchaseOrderLine.objects.filter(sales_order_line=line).exists()
    assert check_consistency() == []


@pytest.mark.django_db(transaction=True)
def test_two_splits_of_one_order_at_once_refuse_the_later_with_a_message(world, drive_to_po):
    """Two lines of one order on two POs, each closed short: the first split is saved but
    not committed when the second takes the next line number, the same one."""
    order, po_lines = drive_to_po((SERVER, "2"), (GPU_SERVER, "2"))
    assert po_lines[0].purchase_order_id != po_lines[1].purchase_order_id
    for po_line in po_lines:
        receive(world, po_line, "1")

    with (
        uncommitted_meanwhile(lambda: close_short(world, po_lines[0])),
        pytest.raises(ChangedMeanwhile) as refused,
    ):
        close_short(world, po_lines[1])

    assert refused.value.message == ORDER_CHANGED_MEANWHILE.format(order=order)
    assert isinstance(refused.value.__cause__, IntegrityError)
    assert list(order.lines.order_by("line_number").values_list("quantity", flat=True)) == [
        Decimal("1"),
        Decimal("2"),
        Decimal("1"),
    ]
    po_lines[1].refresh_from_db()
    assert po_lines[1].status == POLineStatus.OPEN  # the refused close changed nothing
