"""A receipt on the PO itself (the Receive page, not the notice's row) receives the ship
notice it covers; the supplier's pages and the buyer's PO page show the one expected date
and what is still on the way (docs/supplier-collaboration.md, "Receipts and ship notices")."""

import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from suppliers.models import ShipNoticeStatus
from suppliers.services import ShipNoticeLineInput, ship_notice_create
from tests.browser.conftest import assert_page_reads_well, login, logout, shot


def test_receiving_on_the_po_receives_the_notice_and_the_pages_show_the_expected_date(
    page, live_server, world, drive_to_po
):
    _order, [po_line] = drive_to_po(("SRV-DL380-G11", "3"))
    purchase_order = po_line.purchase_order
    today = timezone.localdate()
    notice = ship_notice_create(
        actor=world.users["supplier"],
        purchase_order=purchase_order,
        ship_date=today,
        expected_arrival=today + timedelta(days=4),
        carrier="UPS",
        tracking_number="1Z42",
        lines=[ShipNoticeLineInput(purchase_order_line=po_line, quantity=Decimal("2"))],
    )

    login(page, live_server, "receiver")
    page.goto(f"{live_server.url}/receiving/purchase-orders/{purchase_order.pk}/receive/")
    page.get_by_label("Received quantity on line 1").fill("2")
    shot(page, "supplier-expected-01-receive-on-the-po")
    page.get_by_role("button", name="Create Receipt").click()
    page.wait_for_url(re.compile(r"/receiving/receipts/\d+/$"))
    notice.refresh_from_db()
    po_line.refresh_from_db()
    assert (notice.status, notice.receipt) == (ShipNoticeStatus.RECEIVED, None)
    assert po_line.expected_date == po_line.promised_date  # the last 1 comes as promised
    logout(page)

    login(page, live_server, "supplier")
    page.goto(f"{live_server.url}{notice.get_absolute_url()}")
    expect(page.get_by_test_id("asn-status")).to_have_text("Received")
    expect(page.get_by_text("On the purchase order")).to_be_visible()
    assert_page_reads_well(page, "supplier-ship-notice-received-on-po")
    shot(page, "supplier-expected-02-ship-notice")
    page.get_by_role("link", name=purchase_order.number).click()
    expect(page.get_by_test_id("expected")).to_have_text(f"{po_line.promised_date:%Y-%m-%d}")
    assert_page_reads_well(page, "supplier-po-expected")
    shot(page, "supplier-expected-03-supplier-po")
    logout(page)

    login(page, live_server, "buyer")
    page.goto(f"{live_server.url}{purchase_order.get_absolute_url()}")
    expected = page.get_by_test_id("supplier-expected")
    expect(expected).to_contain_text(f"{po_line.promised_date:%Y-%m-%d}")
    expect(page.get_by_test_id("supplier-ship-notices")).to_contain_text("On the PO")
    assert_page_reads_well(page, "buyer-po-expected")
    shot(page, "supplier-expected-04-buyer-po")
