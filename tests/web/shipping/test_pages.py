"""The Shipping Clerk's workbench: Pick Release, pick slip, shipments and Ship Confirm."""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from b2b_portal.web import FIRST_SUBMIT_DONE
from orders.models import LineStatus
from shipping.models import PickWave, Shipment, ShipmentStatus
from tests.factories import UserFactory
from tests.helpers import messages_of, on_hand, queries_to_render, snapshot, unit_user
from tests.web.shipping.support import released_in_bulk, reserved_order

pytestmark = pytest.mark.django_db

NOTHING_TO_RELEASE = "No reserved lines are waiting to be released for these criteria."


@pytest.fixture
def shipper(client, users):
    client.force_login(users["shipper"])
    return client


def release_data(world, **extra):
    """The Pick Release form as posted, with a token of its own (tokens outlive a test)."""
    return {"warehouse": world.warehouses["M1"].pk, "submission_token": uuid.uuid4().hex, **extra}


def test_pick_release_counts_the_warehouse_it_shows(client, world, drive_to_po):
    """Before the clerk chooses, the count is of the warehouse selected in the form (the
    first of their units'), not of every warehouse: the page says "for these criteria"."""
    reserved_order(world, drive_to_po, "2")  # in M1, US1's warehouse
    clerk = UserFactory(
        username="two_unit_shipper", role="Shipping Clerk", units=list(world.units.values())
    )
    client.force_login(clerk)
    page = client.get(reverse("shipping:release"))
    assert page.context["form"]["warehouse"].value() == world.warehouses["E1"].pk
    assert page.context["awaiting"] == 0
    chosen = client.get(
        reverse("shipping:release"),
        {"warehouse": world.warehouses["M1"].pk},
        headers={"HX-Request": "true"},
    )
    assert chosen.context["awaiting"] == 1


def test_pick_release_then_ship_confirm(shipper, world, drive_to_po):
    order, _ = reserved_order(world, drive_to_po, "2")
    [line] = order.lines.all()
    assert line.status == LineStatus.AWAITING_SHIPPING

    page = shipper.get(reverse("shipping:release"))
    assert page.status_code == 200 and page.context["awaiting"] == 1
    partial = shipper.get(
        reverse("shipping:release"),
        {"warehouse": world.warehouses["M1"].pk, "customer": world.customers["C-1002"].pk},
        headers={"HX-Request": "true"},
    )
    assert b"<html" not in partial.content and partial.context["awaiting"] == 0

    response = shipper.post(
        reverse("shipping:release"), release_data(world, sales_order=order.number)
    )
    wave = PickWave.objects.get()
    assert response.status_code == 302 and response["Location"] == wave.get_absolute_url()
    [shipment] = wave.shipments.all()
    [shipment_line] = shipment.lines.all()
    assert (shipment.status, shipment.customer, shipment_line.quantity) == (
        ShipmentStatus.RELEASED,
        order.customer,
        Decimal("2"),
    )
    assert wave.released_by == world.users["shipper"]

    slip = shipper.get(wave.get_absolute_url()).content.decode()
    for text in (wave.number, shipment.number, order.number, "SRV-DL380-G11", "Acme Analytics"):
        assert text in slip
    detail = shipper.get(shipment.get_absolute_url())
    assert detail.context["ship_confirm_form"] is not None
    assert reverse("shipping:ship_confirm", args=[shipment.pk]) in detail.content.decode()

    response = shipper.post(
        reverse("shipping:ship_confirm", args=[shipment.pk]), {"waybill": "1Z-999"}
    )
    assert response.status_code == 302
    shipment.refresh_from_db()
    line.refresh_from_db()
    assert (shipment.status, shipment.shipped_by, shipment.waybill) == (
        ShipmentStatus.SHIPPED,
        world.users["shipper"],
        "1Z-999",
    )
    assert (line.status, line.shipped_quantity) == (LineStatus.SHIPPED, Decimal("2"))
    assert on_hand(world) == (Decimal("0"), Decimal("0"))
    detail = shipper.get(shipment.get_absolute_url())
    assert detail.context["ship_confirm_form"] is None  # nothing left to confirm
    assert "1Z-999" in detail.content.decode()

    before = snapshot()
    again = shipper.post(reverse("shipping:ship_confirm", args=[shipment.pk]), follow=True)
    assert f"{shipment.number} is already Shipped." in again.content.decode()
    assert snapshot() == before


def test_pick_release_with_nothing_reserved_says_so(shipper, world, drive_to_po):
    drive_to_po(("SRV-DL380-G11", "1"))  # ordered, not received: nothing is reserved
    before = snapshot()
    response = shipper.post(reverse("shipping:release"), release_data(world))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [NOTHING_TO_RELEASE]
    assert NOTHING_TO_RELEASE in response.content.decode()
    assert snapshot() == before


def test_pick_release_refuses_bad_criteria_and_a_second_submit(shipper, world, drive_to_po):
    reserved_order(world, drive_to_po)
    before = snapshot()
    bad = shipper.post(
        reverse("shipping:release"),
        release_data(world, warehouse=world.warehouses["E1"].pk, sales_order="SO-99999999999999"),
    )
    errors = bad.context["form"].errors
    assert "Select a valid choice" in errors["warehouse"][0]
    assert errors["sales_order"] == [
        "There is no sales order SO-99999999999999 in your business units."
    ]
    assert snapshot() == before

    once = release_data(world)
    first = shipper.post(reverse("shipping:release"), once)
    second = shipper.post(reverse("shipping:release"), once)
    assert first.status_code == 302
    assert second.url == first.url  # the pick wave the first submit made
    assert FIRST_SUBMIT_DONE in messages_of(second)
    assert PickWave.objects.count() == 1


def test_ship_confirm_refuses_a_waybill_too_long(shipper, world, drive_to_po):
    reserved_order(world, drive_to_po)
    shipper.post(reverse("shipping:release"), release_data(world))
    shipment = Shipment.objects.get()
    before = snapshot()
    response = shipper.post(
        reverse("shipping:ship_confirm", args=[shipment.pk]), {"waybill": "W" * 61}, follow=True
    )
    assert "Waybill: Ensure this value has at most 60 characters" in response.content.decode()
    assert snapshot() == before


def test_roles_and_business_units(client, world, drive_to_po):
    reserved_order(world, drive_to_po)
    client.force_login(world.users["shipper"])
    client.post(reverse("shipping:release"), release_data(world))
    shipment = Shipment.objects.get()
    pages = [
        reverse("shipping:release"),
        reverse("shipping:shipment_list"),
        shipment.get_absolute_url(),
        shipment.pick_wave.get_absolute_url(),
    ]
    confirm = reverse("shipping:ship_confirm", args=[shipment.pk])

    client.force_login(world.users["clerk"])
    assert [client.get(url).status_code for url in pages] == [403] * 4
    for role in ("clerk", "receiver", "ar"):
        client.force_login(world.users[role])
        assert client.post(confirm).status_code == 403
    client.force_login(world.users["ar"])  # sees shipments, may not release them
    assert client.get(pages[0]).status_code == 403
    assert client.get(pages[2]).status_code == 200
    assert "Ship Confirm" not in client.get(pages[2]).content.decode()

    client.force_login(unit_user(world, "eu_shipper", "Shipping Clerk"))
    assert [client.get(url).status_code for url in pages[2:]] == [404, 404]
    assert client.post(confirm).status_code == 404
    assert shipment.number not in client.get(pages[1]).content.decode()
    assert client.get(pages[0]).context["awaiting"] == 0
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.RELEASED


def test_shipments_list_filters_sorts_and_searches(shipper, world):
    released_in_bulk(world, 3)
    newest = Shipment.objects.order_by("-pk").first()
    listing = shipper.get(reverse("shipping:shipment_list"))
    assert listing.context["object_list"][0] == newest
    by_customer = shipper.get(reverse("shipping:shipment_list"), {"sort": "customer"})
    names = [s.customer.name for s in by_customer.context["object_list"]]
    assert names == sorted(names)
    ignored = shipper.get(reverse("shipping:shipment_list"), {"sort": "warehouse__code; drop"})
    assert ignored.status_code == 200
    assert list(ignored.context["object_list"]) == list(listing.context["object_list"])
    shipped = shipper.get(reverse("shipping:shipment_list"), {"status": "SHIPPED"})
    assert list(shipped.context["object_list"]) == []
    found = shipper.get(reverse("shipping:shipment_list"), {"q": newest.number})
    assert list(found.context["object_list"]) == [newest]
    order_number = newest.lines.get().sales_order_line.order.number
    found = shipper.get(reverse("shipping:shipment_list"), {"q": order_number})
    assert list(found.context["object_list"]) == [newest]


def test_a_pick_wave_links_only_for_a_user_who_may_open_it(client, users, world):
    """The AR clerk sees which wave a shipment left in but may not open pick slips: the
    wave is named, not linked; the shipper gets the link."""
    released_in_bulk(world, 1)
    wave = PickWave.objects.get()
    link = f'<a href="{wave.get_absolute_url()}">{wave.number}</a>'
    listing = reverse("shipping:shipment_list")

    client.force_login(users["ar"])
    page = client.get(listing).content.decode()
    assert wave.number in page and link not in page
    assert client.get(wave.get_absolute_url()).status_code == 403

    client.force_login(users["shipper"])
    assert link in client.get(listing).content.decode()


@pytest.mark.slow
def test_shipments_list_queries_do_not_grow_with_rows(shipper, world):
    url = reverse("shipping:shipment_list")
    released_in_bulk(world, 5)
    at_5 = queries_to_render(shipper, url, sort="-lines")
    released_in_bulk(world, 195)
    assert Shipment.objects.count() == 200
    assert queries_to_render(shipper, url, sort="-lines") == at_5
    assert queries_to_render(shipper, url, sort="customer", page=8) == at_5
