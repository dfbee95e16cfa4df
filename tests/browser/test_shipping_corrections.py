"""Issue 10, items 3, 4 and 8 in the browser: the shipper un-releases a shipment, releases
it again, ship confirms 2 of 3 (the rest is split off, reserved), reverses the shipment
with a reason, and the Peg Trace shows both corrections with who and why."""

import re

from playwright.sync_api import expect

from orders.models import LineStatus
from shipping.models import Shipment, ShipmentStatus
from shipping.services import pick_release
from tests.browser.conftest import login, shot
from tests.helpers import on_hand, receive


def test_unrelease_ship_part_and_reverse_in_the_browser(page, live_server, world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "3"))
    receive(world, po_line, "3")
    wave = pick_release(
        actor=world.users["shipper"],
        business_unit=world.units["US1"],
        warehouse=world.warehouses["M1"],
    )
    first = wave.shipments.get()
    login(page, live_server, "shipper")

    page.goto(f"{live_server.url}{first.get_absolute_url()}")
    page.get_by_label("Reason to un-release").fill("Released to the wrong dock")
    shot(page, "shipping-corrections-01-released")
    page.get_by_role("button", name="Un-release").click()
    expect(page.get_by_test_id("shipment-status")).to_have_text("Un-released")
    expect(page.get_by_test_id("correction")).to_contain_text("Released to the wrong dock")
    shot(page, "shipping-corrections-02-unreleased")

    page.goto(f"{live_server.url}/shipping/release/")
    page.get_by_role("button", name="Release").click()
    page.wait_for_url(re.compile(r"/shipping/waves/\d+/$"))
    second = Shipment.objects.exclude(pk=first.pk).get()
    page.goto(f"{live_server.url}{second.get_absolute_url()}")
    line = order.lines.get()
    page.get_by_label(f"Quantity shipped of {line}").fill("2")
    page.get_by_label("Waybill").fill("WB-42")
    shot(page, "shipping-corrections-03-ship-two-of-three")
    page.get_by_role("button", name="Ship Confirm").click()
    expect(page.get_by_test_id("shipment-status")).to_have_text("Shipped")
    expect(page.get_by_text("of 3 released")).to_be_visible()
    line.refresh_from_db()
    split = line.split_lines.get()
    assert (split.status, split.reserved_quantity) == (LineStatus.AWAITING_SHIPPING, 1)

    page.get_by_label("Reason to reverse").fill("The truck never left the dock")
    page.get_by_role("button", name="Reverse Shipment").click()
    expect(page.get_by_test_id("shipment-status")).to_have_text("Reversed")
    expect(page.get_by_text("the goods are back on hand and reserved")).to_be_visible()
    shot(page, "shipping-corrections-04-reversed")
    second.refresh_from_db()
    assert second.status == ShipmentStatus.REVERSED
    assert on_hand(world) == (3, 3)

    page.goto(f"{live_server.url}/trace/lines/{line.pk}/")
    expect(page.get_by_text("Un-released by shipper, Released to the wrong dock")).to_be_visible()
    expect(page.get_by_text("Reversed by shipper, The truck never left the dock")).to_be_visible()
    shot(page, "shipping-corrections-05-peg-trace")


def test_the_shipper_unreleases_one_line_of_two_in_the_browser(
    page, live_server, world, drive_to_po
):
    """Item 3, one line: the per-line Un-release leaves the other line to ship."""
    order, po_lines = drive_to_po(("SRV-DL380-G11", "2"), ("SRV-DL380-G11", "1"))
    for po_line in po_lines:
        receive(world, po_line, po_line.quantity)
    wave = pick_release(
        actor=world.users["shipper"],
        business_unit=world.units["US1"],
        warehouse=world.warehouses["M1"],
    )
    shipment = wave.shipments.get()
    _first, second = order.lines.order_by("line_number")
    login(page, live_server, "shipper")

    page.goto(f"{live_server.url}{shipment.get_absolute_url()}")
    page.get_by_label(f"Reason to un-release line {second.line_number}").fill("Not on the truck")
    shot(page, "shipping-corrections-05-line-unrelease")
    page.get_by_role("form", name=f"Un-release line {second.line_number}").get_by_role(
        "button", name="Un-release"
    ).click()
    expect(page.get_by_test_id("line-unreleased")).to_be_visible()
    expect(page.get_by_test_id("shipment-status")).to_have_text("Released")
    shot(page, "shipping-corrections-06-line-unreleased")
    assert list(shipment.lines.order_by("pk").values_list("status", flat=True)) == [
        ShipmentStatus.RELEASED,
        ShipmentStatus.UNRELEASED,
    ]
    second.refresh_from_db()
    assert (second.status, second.reserved_quantity) == (LineStatus.AWAITING_SHIPPING, 1)
