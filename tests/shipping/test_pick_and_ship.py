"""pick_release puts every fully reserved line into one pick wave, one shipment per order;
shipment_ship_confirm issues the reserved stock and ships the lines."""

from decimal import Decimal

import pytest

from b2b_portal.errors import TransitionRefused, ValidationRefused
from inventory.models import InventoryTransaction, Reservation, TransactionType
from orders.models import LineStatus
from shipping.models import ShipmentStatus
from shipping.services import pick_release, shipment_ship_confirm
from tests.helpers import history_users, on_hand, receive, release, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def reserved(world, drive_to_po):
    """Two orders, received in full: two servers on one, one server and a GPU server on the
    other; every line reserved."""

    def received(*lines):
        order, po_lines = drive_to_po(*lines)
        for po_line in po_lines:
            receive(world, po_line, po_line.quantity)
        return order

    return [
        received(("SRV-DL380-G11", "2")),
        received(("SRV-DL380-G11", "1"), ("SRV-R760-XA", "1")),
    ]


def test_pick_release_makes_one_shipment_per_order_of_the_reserved_quantities(world, reserved):
    wave = release(world)

    assert (wave.warehouse, wave.released_by) == (world.warehouses["M1"], world.users["shipper"])
    shipments = list(wave.shipments.order_by("pk"))
    assert len(shipments) == 2
    for shipment, order in zip(shipments, reserved, strict=True):
        assert (shipment.status, shipment.customer) == (ShipmentStatus.RELEASED, order.customer)
        assert sorted(shipment.lines.values_list("sales_order_line", "quantity")) == sorted(
            order.lines.values_list("pk", "reserved_quantity")
        )
    # Releasing moves no stock and no line: ship confirm does.
    assert set(reserved[0].lines.values_list("status", flat=True)) == {LineStatus.AWAITING_SHIPPING}
    assert on_hand(world) == (Decimal("3"), Decimal("3"))
    assert history_users(wave) == ["shipper"]
    assert history_users(shipments[0]) == ["shipper"]


def test_a_line_is_released_once_and_a_partly_reserved_line_not_at_all(
    world, reserved, drive_to_po
):
    _, [partly] = drive_to_po(("SRV-DL380-G11", "2"))
    receive(world, partly, "1")
    wave = release(world)
    assert wave.shipments.count() == 2
    assert not partly.sales_order_line.shipment_lines.exists()
    before = snapshot()
    with pytest.raises(ValidationRefused, match="No reserved lines are waiting to be released"):
        release(world)
    assert snapshot() == before


def test_pick_release_takes_only_the_order_asked_for(world, reserved):
    wave = release(world, sales_order=reserved[1])
    assert [shipment.customer for shipment in wave.shipments.all()] == [reserved[1].customer]
    assert release(world).shipments.get().lines.get().sales_order_line == reserved[0].lines.get()


def test_a_warehouse_of_another_unit_is_refused(world, reserved):
    before = snapshot()
    with pytest.raises(ValidationRefused, match="belongs to another business unit"):
        pick_release(
            actor=world.users["shipper"],
            business_unit=world.units["US1"],
            warehouse=world.warehouses["E1"],
        )
    assert snapshot() == before


def test_ship_confirm_issues_the_reservations_and_ships_the_lines(world, reserved):
    shipment = release(world, sales_order=reserved[0]).shipments.get()

    shipped = shipment_ship_confirm(actor=world.users["shipper"], shipment=shipment, waybill="W-1")

    assert (shipped.status, shipped.shipped_by, shipped.waybill) == (
        ShipmentStatus.SHIPPED,
        world.users["shipper"],
        "W-1",
    )
    assert shipped.shipped_at is not None
    line = reserved[0].lines.get()
    assert (line.status, line.shipped_quantity, line.reserved_quantity) == (
        LineStatus.SHIPPED,
        Decimal("2"),
        Decimal("0"),
    )
    assert Reservation.objects.get(sales_order_line=line).quantity == Decimal("0")
    assert on_hand(world) == (Decimal("1"), Decimal("1"))  # the other order's server stays
    issue = InventoryTransaction.objects.get(transaction_type=TransactionType.SALES_ISSUE)
    assert (issue.quantity, issue.source_reference) == (Decimal("-2"), shipment.number)
    assert (issue.sales_order_line, issue.created_by) == (line, world.users["shipper"])
    assert history_users(shipped) == ["shipper", "shipper"]
    assert shipped.history.first().history_change_reason == "ship confirm"
    assert history_users(line)[-1] == "shipper"


def test_ship_confirm_twice_is_refused_and_changes_nothing(world, reserved):
    shipment = release(world, sales_order=reserved[0]).shipments.get()
    shipment_ship_confirm(actor=world.users["shipper"], shipment=shipment)
    before = snapshot()
    with pytest.raises(TransitionRefused, match="is already Shipped"):
        shipment_ship_confirm(actor=world.users["shipper"], shipment=shipment)
    assert snapshot() == before
