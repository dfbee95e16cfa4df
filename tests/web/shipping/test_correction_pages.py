"""The shipment page's partial Ship Confirm, Un-release and Reverse, and the pick slip's
Un-release Wave: what each does, who may, and another unit's shipment is not found."""

import pytest
from django.urls import reverse

from orders.models import LineStatus
from shipping.models import ShipmentStatus
from shipping.services import pick_release, shipment_ship_confirm
from tests.helpers import messages_of, on_hand, receive, snapshot, unit_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(world, drive_to_po):
    """One line of 3 servers, received and released: its shipment."""
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "3"))
    receive(world, po_line, "3")
    shipper = world.users["shipper"]
    wave = pick_release(
        actor=shipper, business_unit=world.units["US1"], warehouse=world.warehouses["M1"]
    )
    return wave.shipments.get()


@pytest.fixture
def shipper(client, users):
    client.force_login(users["shipper"])
    return client


def test_the_shipment_page_offers_a_quantity_per_line_ship_less_splits(shipper, world, released):
    shipment_line = released.lines.get()
    page = shipper.get(released.get_absolute_url()).content.decode()
    assert f'name="ship_{shipment_line.pk}"' in page
    assert 'form="ship-confirm"' in page
    assert "Un-release" in page and "Reverse Shipment" not in page

    response = shipper.post(
        reverse("shipping:ship_confirm", args=[released.pk]),
        {"waybill": "W1", f"ship_{shipment_line.pk}": "2"},
    )

    assert messages_of(response) == [f"{released} is ship confirmed."]
    line = shipment_line.sales_order_line
    line.refresh_from_db()
    split = line.split_lines.get()
    assert (line.status, line.quantity, line.shipped_quantity) == (LineStatus.SHIPPED, 2, 2)
    assert (split.status, split.reserved_quantity) == (LineStatus.AWAITING_SHIPPING, 1)
    assert on_hand(world) == (1, 1)


def test_ship_confirm_with_a_blank_quantity_ships_all_and_refuses_too_much(
    shipper, world, released
):
    shipment_line = released.lines.get()
    url = reverse("shipping:ship_confirm", args=[released.pk])
    before = snapshot()
    response = shipper.post(url, {f"ship_{shipment_line.pk}": "5"}, follow=True)
    assert "Ship more than zero and at most the 3.000 released" in response.content.decode()
    assert snapshot() == before
    shipper.post(url, {f"ship_{shipment_line.pk}": ""})
    released.refresh_from_db()
    assert released.status == ShipmentStatus.SHIPPED
    assert released.lines.get().quantity == 3


def test_unrelease_from_the_shipment_page_with_a_reason(shipper, world, released):
    url = reverse("shipping:shipment_unrelease", args=[released.pk])
    before = snapshot()
    response = shipper.post(url, {"unrelease-reason": ""}, follow=True)
    assert "Reason: Say why." in response.content.decode()
    assert snapshot() == before

    response = shipper.post(url, {"unrelease-reason": "picked the wrong order"}, follow=True)

    released.refresh_from_db()
    assert released.status == ShipmentStatus.UNRELEASED
    page = response.content.decode()
    assert "is un-released; its lines are awaiting shipping again." in page
    assert "picked the wrong order" in page
    assert released.lines.get().sales_order_line.reserved_quantity == 3


def test_unrelease_wave_from_the_pick_slip(shipper, world, released):
    wave = released.pick_wave
    assert "Un-release Wave" in shipper.get(wave.get_absolute_url()).content.decode()
    response = shipper.post(
        reverse("shipping:wave_unrelease", args=[wave.pk]), {"unrelease-reason": "redo"}
    )
    assert messages_of(response) == [f"{wave} un-released 1 shipment(s)."]
    released.refresh_from_db()
    assert released.status == ShipmentStatus.UNRELEASED
    assert "Un-release Wave" not in shipper.get(wave.get_absolute_url()).content.decode()


def test_reverse_from_the_shipment_page(shipper, world, released):
    shipment_ship_confirm(actor=world.users["shipper"], shipment=released)
    page = shipper.get(released.get_absolute_url()).content.decode()
    assert "Reverse Shipment" in page and "Un-release" not in page
    response = shipper.post(
        reverse("shipping:shipment_reverse", args=[released.pk]),
        {"reverse-reason": "left on the dock"},
    )
    assert messages_of(response) == [
        f"{released} is reversed; the goods are back on hand and reserved."
    ]
    released.refresh_from_db()
    assert released.status == ShipmentStatus.REVERSED
    assert on_hand(world) == (3, 3)


def test_roles_and_units_of_the_correction_actions(client, world, released):
    unrelease = reverse("shipping:shipment_unrelease", args=[released.pk])
    reverse_url = reverse("shipping:shipment_reverse", args=[released.pk])
    wave = reverse("shipping:wave_unrelease", args=[released.pick_wave.pk])
    for role in ("clerk", "receiver", "ar", "buyer"):
        client.force_login(world.users[role])
        for url in (unrelease, reverse_url, wave):
            assert (
                client.post(url, {"unrelease-reason": "x", "reverse-reason": "x"}).status_code
                == 403
            )
    client.force_login(world.users["ar"])
    page = client.get(released.get_absolute_url()).content.decode()
    assert "Un-release" not in page
    client.force_login(unit_user(world, "eu_shipper", "Shipping Clerk"))
    for url in (unrelease, reverse_url, wave):
        assert client.post(url, {"unrelease-reason": "x", "reverse-reason": "x"}).status_code == 404
    released.refresh_from_db()
    assert released.status == ShipmentStatus.RELEASED


@pytest.fixture
def two_lines(world, drive_to_po):
    """One order of two server lines, received and released together: its shipment."""
    _, po_lines = drive_to_po(("SRV-DL380-G11", "2"), ("SRV-DL380-G11", "1"))
    for po_line in po_lines:
        receive(world, po_line, po_line.quantity)
    wave = pick_release(
        actor=world.users["shipper"],
        business_unit=world.units["US1"],
        warehouse=world.warehouses["M1"],
    )
    return wave.shipments.get()


def test_unrelease_one_line_from_the_shipment_page_then_ship_the_other(shipper, world, two_lines):
    first, second = two_lines.lines.order_by("pk")
    url = reverse("shipping:shipment_line_unrelease", args=[first.pk])
    page = shipper.get(two_lines.get_absolute_url()).content.decode()
    assert page.count('name="unrelease-line-reason"') == 2
    assert f'action="{url}"' in page

    before = snapshot()
    response = shipper.post(url, {"unrelease-line-reason": ""}, follow=True)
    assert "Reason: Say why." in response.content.decode()
    assert snapshot() == before

    response = shipper.post(url, {"unrelease-line-reason": "wrong rack"})

    assert response.url == two_lines.get_absolute_url()
    assert messages_of(response) == [
        f"{first.sales_order_line} is un-released from {two_lines}; it is awaiting shipping again."
    ]
    first.refresh_from_db()
    assert first.status == ShipmentStatus.UNRELEASED
    page = shipper.get(two_lines.get_absolute_url()).content.decode()
    # One released line left: no per-line form, no quantity to ship for the un-released one.
    assert 'name="unrelease-line-reason"' not in page
    assert 'data-testid="line-unreleased"' in page
    assert f'name="ship_{first.pk}"' not in page and f'name="ship_{second.pk}"' in page

    shipper.post(reverse("shipping:ship_confirm", args=[two_lines.pk]), {"waybill": "W1"})
    two_lines.refresh_from_db()
    first.refresh_from_db()
    assert (two_lines.status, first.status) == (ShipmentStatus.SHIPPED, ShipmentStatus.UNRELEASED)
    assert first.sales_order_line.reserved_quantity == 2
    assert on_hand(world) == (2, 2)
    # The list counts what shipped: one line of 1.
    [row] = shipper.get(reverse("shipping:shipment_list")).context["object_list"]
    assert (row.line_count, row.total_quantity) == (1, 1)


def test_roles_and_units_of_the_line_unrelease(client, world, two_lines):
    first = two_lines.lines.order_by("pk").first()
    url = reverse("shipping:shipment_line_unrelease", args=[first.pk])
    for role in ("clerk", "receiver", "ar", "buyer"):
        client.force_login(world.users[role])
        assert client.post(url, {"unrelease-line-reason": "x"}).status_code == 403
    client.force_login(world.users["ar"])
    assert "unrelease-line-reason" not in client.get(two_lines.get_absolute_url()).content.decode()
    client.force_login(unit_user(world, "eu_shipper", "Shipping Clerk"))
    assert client.post(url, {"unrelease-line-reason": "x"}).status_code == 404
    first.refresh_from_db()
    assert first.status == ShipmentStatus.RELEASED
