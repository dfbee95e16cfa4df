"""Ship Confirm of a whole pick wave: every shipment still Released ships in full, with the
rules of one ship confirm each, in the same statements for 200 shipments as for 5."""

import pytest
from django.urls import reverse

from b2b_portal.errors import PermissionRefused, ValidationRefused
from inventory.models import InventoryTransaction, Reservation, TransactionType
from orchestration.demo import bulk_book_orders
from orchestration.simulation import run_to
from orders.models import LineStatus, SalesOrderLine
from shipping.corrections import shipment_unrelease
from shipping.models import ShipmentStatus
from shipping.services import NOTHING_TO_SHIP, pick_wave_ship_confirm
from tests.helpers import history_users, messages_of, on_hand, release, snapshot
from tests.receiving.support import fresh, queries_of

pytestmark = pytest.mark.django_db

# Statements of one wave's ship confirm, whatever its number of shipments (24 measured).
WAVE_CEILING = 30


def released_wave(world, orders: int):
    """A wave of ``orders`` one-line orders of one server each, received in full."""
    bulk_book_orders(world, count=orders)
    run_to(world, "received")
    return release(world)


def test_every_shipment_of_the_wave_ships_in_full_with_the_shipper_in_history(world):
    wave = released_wave(world, 3)
    shipments = list(wave.shipments.order_by("pk"))

    confirmed = pick_wave_ship_confirm(actor=world.users["shipper"], pick_wave=wave)

    assert [shipment.pk for shipment in confirmed] == [shipment.pk for shipment in shipments]
    for shipment in shipments:
        shipment.refresh_from_db()
        assert (shipment.status, shipment.shipped_by) == (
            ShipmentStatus.SHIPPED,
            world.users["shipper"],
        )
        assert history_users(shipment)[-1] == "shipper"
        [line] = shipment.lines.all()
        assert line.status == ShipmentStatus.SHIPPED
        issue = InventoryTransaction.objects.get(
            transaction_type=TransactionType.SALES_ISSUE, sales_order_line=line.sales_order_line
        )
        assert (issue.source_reference, issue.quantity) == (shipment.number, -1)
    lines = SalesOrderLine.objects.all()
    assert {(line.status, line.shipped_quantity, line.reserved_quantity) for line in lines} == {
        (LineStatus.SHIPPED, 1, 0)
    }
    assert {history_users(line)[-1] for line in lines} == {"shipper"}
    assert set(Reservation.objects.values_list("quantity", flat=True)) == {0}
    assert on_hand(world) == (0, 0)


def test_a_200_shipment_wave_is_confirmed_with_the_statements_of_5(world):
    counts = []
    for orders in (5, 200):
        wave = released_wave(world, orders)
        counts.append(
            queries_of(
                lambda wave=wave: pick_wave_ship_confirm(
                    actor=fresh(world.users["shipper"]), pick_wave=wave
                )
            )
        )
        assert set(wave.shipments.values_list("status", flat=True)) == {ShipmentStatus.SHIPPED}
    assert counts[0] == counts[1] <= WAVE_CEILING, counts
    assert SalesOrderLine.objects.filter(status=LineStatus.SHIPPED).count() == 205


def test_a_shipment_unreleased_from_the_wave_stays_behind(world):
    wave = released_wave(world, 2)
    first, second = wave.shipments.order_by("pk")
    shipment_unrelease(actor=world.users["shipper"], shipment=first, reason="Wrong dock")

    confirmed = pick_wave_ship_confirm(actor=world.users["shipper"], pick_wave=wave)

    assert confirmed == [second]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (ShipmentStatus.UNRELEASED, ShipmentStatus.SHIPPED)
    assert on_hand(world) == (1, 1)


def test_a_wave_with_nothing_released_or_a_clerk_is_refused_and_nothing_moves(world):
    wave = released_wave(world, 2)
    with pytest.raises(PermissionRefused):
        pick_wave_ship_confirm(actor=world.users["clerk"], pick_wave=wave)
    assert set(wave.shipments.values_list("status", flat=True)) == {ShipmentStatus.RELEASED}
    assert on_hand(world) == (2, 2)

    pick_wave_ship_confirm(actor=world.users["shipper"], pick_wave=wave)
    with pytest.raises(ValidationRefused, match="has no shipment still Released"):
        pick_wave_ship_confirm(actor=world.users["shipper"], pick_wave=wave)
    assert (
        InventoryTransaction.objects.filter(transaction_type=TransactionType.SALES_ISSUE).count()
        == 2
    )


def test_the_pick_slips_button_confirms_once_then_says_why_not_and_a_clerk_is_403(client, world):
    """The page's action: the shipper's first POST ships the wave and says so; a second
    says there is nothing Released left and changes nothing; a clerk's POST is 403."""
    wave = released_wave(world, 2)
    url = reverse("shipping:wave_ship_confirm", args=[wave.pk])
    client.force_login(world.users["clerk"])
    before = snapshot()
    assert client.post(url).status_code == 403
    assert snapshot() == before

    client.force_login(world.users["shipper"])
    shipped = client.post(url)
    assert shipped.status_code == 302
    assert messages_of(shipped) == [f"{wave}: 2 shipment(s) ship confirmed."]
    assert set(wave.shipments.values_list("status", flat=True)) == {ShipmentStatus.SHIPPED}
    before = snapshot()
    again = client.post(url)
    # The first message was not shown yet (no page between the POSTs): both are pending.
    assert messages_of(again) == [
        f"{wave}: 2 shipment(s) ship confirmed.",
        NOTHING_TO_SHIP.format(wave=wave),
    ]
    assert snapshot() == before
