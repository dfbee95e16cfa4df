"""Issue 14, acceptance 3 in the browser: the supplier's user acknowledges a line for a new
date, sends a ship notice and enters an invoice; the buyer sees each on the PO page and the
Peg Trace; the receiving agent receives against the ship notice, its quantity filled in."""

import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from invoicing.models import APInvoice, APStatus
from suppliers.models import ShipNotice, ShipNoticeStatus
from tests.browser.conftest import assert_page_reads_well, login, logout, shot


def test_supplier_acknowledges_ships_and_invoices_and_the_receiver_receives(
    page, live_server, world, drive_to_po
):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "3"))
    purchase_order = po_line.purchase_order
    today = timezone.localdate()
    new_date, arrival = today + timedelta(days=20), today + timedelta(days=4)

    login(page, live_server, "supplier")
    page.get_by_role("button", name="Supplier Portal").click()
    page.get_by_role("link", name="My Purchase Orders").click()
    assert_page_reads_well(page, "supplier-pos")
    shot(page, "supplier-01-my-purchase-orders")
    page.get_by_role("link", name=purchase_order.number).click()
    page.get_by_role("link", name="Acknowledge line 1").click()
    page.get_by_label("Accepted with a new date").check()
    page.get_by_label("New date (the whole line arrives by)").fill(new_date.isoformat())
    page.get_by_label("Reason or note").fill("Factory backlog")
    assert_page_reads_well(page, "supplier-acknowledge")
    shot(page, "supplier-02-acknowledge")
    page.get_by_role("button", name="Send Acknowledgement").click()
    expect(page.get_by_test_id("acknowledgement")).to_have_text(
        f"Accepted with a new date for {new_date:%Y-%m-%d}"
    )

    page.get_by_role("link", name="Send Ship Notice").click()
    page.get_by_label("Ship date").fill(today.isoformat())
    page.get_by_label("Expected arrival").fill(arrival.isoformat())
    page.get_by_label("Carrier").fill("UPS")
    page.get_by_label("Tracking number").fill("1Z999AA10123456784")
    page.get_by_label("Shipped quantity on line 1").fill("2")
    assert_page_reads_well(page, "supplier-ship-notice-form")
    shot(page, "supplier-03-ship-notice")
    page.get_by_role("button", name="Send Ship Notice").click()
    expect(page.get_by_test_id("asn-status")).to_have_text("Shipped")
    assert_page_reads_well(page, "supplier-ship-notice")
    shot(page, "supplier-04-ship-notice-sent")
    notice = ShipNotice.objects.get()

    page.get_by_role("link", name=purchase_order.number).click()
    page.get_by_role("link", name="Enter Invoice").click()
    page.get_by_label("Your invoice number").fill("NW-2026-0042")
    page.get_by_label("Invoice date").fill(today.isoformat())
    page.get_by_label("Billed quantity on line 1").fill("2")
    assert_page_reads_well(page, "supplier-invoice-form")
    shot(page, "supplier-05-invoice")
    page.get_by_role("button", name="Enter Invoice").click()
    expect(page.get_by_text("Invoice NW-2026-0042")).to_be_visible()
    assert_page_reads_well(page, "supplier-po")
    shot(page, "supplier-06-po")
    invoice = APInvoice.objects.get()
    assert (invoice.status, invoice.created_by) == (APStatus.DRAFT, world.users["supplier"])
    logout(page)

    login(page, live_server, "receiver")
    page.goto(f"{live_server.url}/receiving/")
    shot(page, "supplier-07-expected-shipments")
    page.get_by_role("link", name=f"Receive {notice.number}").click()
    quantity = page.get_by_label("Received quantity on line 1")
    expect(quantity).to_have_value("2")
    expect(page.get_by_test_id("ship-notice")).to_contain_text(notice.number)
    assert_page_reads_well(page, "receive-ship-notice")
    shot(page, "supplier-08-receive-ship-notice")
    page.get_by_role("button", name="Create Receipt").click()
    page.wait_for_url(re.compile(r"/receiving/receipts/\d+/$"))
    notice.refresh_from_db()
    po_line.refresh_from_db()
    assert notice.status == ShipNoticeStatus.RECEIVED and notice.receipt is not None
    assert po_line.received_quantity == Decimal("2")
    logout(page)

    login(page, live_server, "buyer")
    page.goto(f"{live_server.url}{purchase_order.get_absolute_url()}")
    expect(page.get_by_test_id("supplier-acknowledgements")).to_contain_text("Factory backlog")
    expect(page.get_by_test_id("supplier-ship-notices")).to_contain_text(notice.receipt.number)
    expect(page.get_by_test_id("supplier-invoices")).to_contain_text("NW-2026-0042")
    assert_page_reads_well(page, "buyer-po-with-supplier")
    shot(page, "supplier-09-buyer-po")
    page.goto(f"{live_server.url}/trace/lines/{order.lines.get().pk}/")
    expect(page.get_by_text("Supplier acknowledgement")).to_be_visible()
    expect(page.get_by_text(notice.number).first).to_be_visible()
    shot(page, "supplier-10-peg-trace")
