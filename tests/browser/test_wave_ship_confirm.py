"""The shipper ship confirms a whole pick wave from its pick slip with one button."""

from playwright.sync_api import expect

from orchestration.demo import bulk_book_orders
from orchestration.simulation import run_to
from orders.models import LineStatus, SalesOrderLine
from shipping.models import ShipmentStatus
from tests.browser.conftest import assert_page_reads_well, login, shot
from tests.helpers import release


def test_the_shipper_ship_confirms_the_wave_in_the_browser(page, live_server, world):
    bulk_book_orders(world, count=3)
    run_to(world, "received")
    wave = release(world)
    login(page, live_server, "shipper")

    page.goto(f"{live_server.url}{wave.get_absolute_url()}")
    assert_page_reads_well(page, "wave-ship-confirm-01-released")
    shot(page, "wave-ship-confirm-01-released")
    page.get_by_role("button", name="Ship Confirm Wave").click()
    expect(page.get_by_text(f"{wave}: 3 shipment(s) ship confirmed.")).to_be_visible()
    expect(page.get_by_role("button", name="Ship Confirm Wave")).to_have_count(0)
    assert_page_reads_well(page, "wave-ship-confirm-02-shipped")
    shot(page, "wave-ship-confirm-02-shipped")

    assert set(wave.shipments.values_list("status", flat=True)) == {ShipmentStatus.SHIPPED}
    assert set(SalesOrderLine.objects.values_list("status", flat=True)) == {LineStatus.SHIPPED}
