"""Pick release and ship confirm lock only their own rows; two releases at once release each
line once, two confirms of a shipment ship it once, and shipments of the same items in
opposite order both finish. A line released meanwhile is refused with a message."""

import time
from decimal import Decimal

import pytest

from b2b_portal.errors import TransitionRefused, ValidationRefused
from inventory.models import InventoryTransaction, OnHandBalance, TransactionType
from orders.models import LineStatus, SalesOrderLine
from shipping import services as shipping_services
from shipping.exceptions import RELEASED_MEANWHILE, LineAlreadyReleased
from shipping.models import PickWave, Shipment, ShipmentLine, ShipmentStatus
from shipping.services import NOTHING_TO_RELEASE, shipment_ship_confirm
from tests.helpers import receive, release, snapshot
from tests.locking.support import (
    assert_locks_only_own_rows,
    lock_order,
    locking_statements,
    run_concurrently,
)

STORAGE = "STO-A400-96T"
NVME = "STO-X70-R4"


def reserved(drive_to_po, world, *lines):
    """An order of ``lines`` carried to its PO and received in full: every line reserved."""
    order, po_lines = drive_to_po(*lines)
    for po_line in po_lines:
        receive(world, po_line, po_line.quantity)
    return order


def confirm(world, shipment):
    return shipment_ship_confirm(actor=world.users["shipper"], shipment=shipment)


@pytest.mark.django_db
def test_pick_release_locks_only_the_lines_it_releases(world, drive_to_po):
    order = reserved(drive_to_po, world, (STORAGE, "1"), (NVME, "1"))

    statements = locking_statements(lambda: release(world))

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == ["orders_salesorderline"]
    assert ShipmentLine.objects.filter(sales_order_line__order=order).count() == 2


@pytest.mark.django_db
def test_ship_confirm_locks_only_its_own_rows_in_the_documented_order(world, drive_to_po):
    order = reserved(drive_to_po, world, (STORAGE, "1"), (NVME, "2"))
    shipment = release(world).shipments.get()

    statements = locking_statements(lambda: confirm(world, shipment))

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == [
        "shipping_shipment",
        "orders_salesorderline",
        "inventory_onhandbalance",
        "inventory_reservation",
    ]
    assert set(order.lines.values_list("status", flat=True)) == {LineStatus.SHIPPED}


@pytest.mark.django_db
def test_a_line_released_meanwhile_refuses_the_release_and_changes_nothing(
    world, drive_to_po, monkeypatch
):
    order = reserved(drive_to_po, world, ("SRV-DL380-G11", "1"))
    release(world)
    # What a release reads when another one committed between its read and its lock:
    # the line still waiting. Only the unique constraint stops the second shipment line.
    monkeypatch.setattr(
        shipping_services,
        "lines_awaiting_release",
        lambda **criteria: SalesOrderLine.objects.filter(order=order),
    )
    before = snapshot()

    with pytest.raises(LineAlreadyReleased) as refused:
        release(world)

    assert refused.value.message == RELEASED_MEANWHILE
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_two_pick_releases_at_once_release_each_line_once(world, drive_to_po):
    orders = [
        reserved(drive_to_po, world, (STORAGE, "1"), (NVME, "1")),
        reserved(drive_to_po, world, ("SRV-DL380-G11", "2")),
    ]
    lines = SalesOrderLine.objects.filter(order__in=orders)

    outcomes = run_concurrently(lambda: release(world), lambda: release(world))

    waves = [outcome for outcome in outcomes if isinstance(outcome, PickWave)]
    refusals = [outcome for outcome in outcomes if not isinstance(outcome, PickWave)]
    assert waves, outcomes
    for refusal in refusals:
        assert isinstance(refusal, ValidationRefused | TransitionRefused), refusal
        assert refusal.message in (NOTHING_TO_RELEASE, RELEASED_MEANWHILE)
    assert PickWave.objects.count() == len(waves)
    assert ShipmentLine.objects.count() == lines.count() == 3
    for line in lines:
        assert [sl.quantity for sl in line.shipment_lines.all()] == [line.reserved_quantity]
    # One shipment per order, whichever wave took it.
    assert Shipment.objects.count() == len(orders)


@pytest.mark.django_db(transaction=True)
def test_two_ship_confirms_of_one_shipment_at_once_ship_it_once(world, drive_to_po):
    order = reserved(drive_to_po, world, ("SRV-DL380-G11", "2"))
    shipment = release(world).shipments.get()

    outcomes = run_concurrently(lambda: confirm(world, shipment), lambda: confirm(world, shipment))

    [refused] = [outcome for outcome in outcomes if isinstance(outcome, TransitionRefused)]
    assert refused.message == f"{shipment} is already Shipped."
    shipment.refresh_from_db()
    line = order.lines.get()
    assert shipment.status == ShipmentStatus.SHIPPED
    assert (line.status, line.shipped_quantity, line.reserved_quantity) == (
        LineStatus.SHIPPED,
        Decimal("2"),
        Decimal("0"),
    )
    issues = InventoryTransaction.objects.filter(transaction_type=TransactionType.SALES_ISSUE)
    assert [issue.quantity for issue in issues] == [Decimal("-2")]
    balance = OnHandBalance.objects.get(item=line.item)
    assert (balance.quantity, balance.reserved_quantity) == (Decimal("0"), Decimal("0"))


@pytest.mark.django_db(transaction=True)
def test_shipments_of_the_same_items_in_opposite_order_both_complete(
    world, drive_to_po, monkeypatch
):
    """Each shipment lines its items up the other way round and lingers after issuing them,
    so that without the balances locked in item order up front each would hold one balance
    and wait for the other's."""
    first = reserved(drive_to_po, world, (STORAGE, "1"), (NVME, "1"))
    second = reserved(drive_to_po, world, (NVME, "2"), (STORAGE, "2"))
    release(world)
    shipments = [
        Shipment.objects.filter(lines__sales_order_line__order=order).distinct().get()
        for order in (first, second)
    ]
    reservations_issue = shipping_services.reservations_issue

    def lingering_reservations_issue(**kwargs):
        reservations_issue(**kwargs)
        time.sleep(0.3)

    monkeypatch.setattr(shipping_services, "reservations_issue", lingering_reservations_issue)

    outcomes = run_concurrently(*(lambda s=s: confirm(world, s) for s in shipments))

    assert [type(outcome) for outcome in outcomes] == [Shipment, Shipment]
    for number in (STORAGE, NVME):
        balance = OnHandBalance.objects.get(item=world.items[number])
        assert (balance.quantity, balance.reserved_quantity) == (Decimal("0"), Decimal("0"))
    assert set(
        SalesOrderLine.objects.filter(order__in=[first, second]).values_list("status", flat=True)
    ) == {LineStatus.SHIPPED}
