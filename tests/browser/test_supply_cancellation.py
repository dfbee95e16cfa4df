"""Issue 10, items 1 and 8 in the browser: the buyer cancels an approved PO line on the
supplier's word from the PO page, re-sources it from the Exceptions work area to another
supplier, and the Peg Trace shows the cancelled line with who and why."""

import re

from playwright.sync_api import expect

from procurement.models import POLineStatus, PurchaseOrderLine, SourcingRule
from tests.browser.conftest import login, shot


def test_cancel_a_po_line_and_resource_it_in_the_browser(page, live_server, world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    login(page, live_server, "buyer")
    page.goto(f"{live_server.url}{po_line.purchase_order.get_absolute_url()}")
    page.get_by_role("link", name="Cancel line 1").click()
    expect(page.get_by_role("heading", name=f"Cancel {po_line}")).to_be_visible()
    page.get_by_label("The supplier cancelled it").check()
    page.get_by_label("Reason").fill("Northwind discontinued the model")
    shot(page, "supply-cancel-01-po-line-cancel")
    page.get_by_role("button", name="Cancel PO Line").click()

    page.wait_for_url(re.compile(rf"/procurement/purchase-orders/{po_line.purchase_order_id}/$"))
    expect(page.get_by_test_id("po-status")).to_have_text("Cancelled")
    expect(page.get_by_test_id("cancel-reason")).to_contain_text("on the supplier's word")
    shot(page, "supply-cancel-02-po-cancelled")

    page.goto(f"{live_server.url}/trace/exceptions/")
    expect(page.get_by_role("cell", name="Supply cancelled")).to_be_visible()
    shot(page, "supply-cancel-03-work-area")
    page.get_by_role("link", name="Re-source").first.click()
    fabrikam = SourcingRule.objects.get(
        supplier__name="Fabrikam Hardware", item=world.items["SRV-DL380-G11"]
    )
    page.get_by_label("Buy from").select_option(value=str(fabrikam.pk))
    page.get_by_label("Reason").fill("Fabrikam can deliver in a week")
    shot(page, "supply-cancel-04-resource")
    page.get_by_role("button", name="Re-source").click()

    page.wait_for_url(re.compile(r"/trace/exceptions/"))
    expect(page.get_by_text("is re-sourced")).to_be_visible()
    new = PurchaseOrderLine.objects.exclude(status=POLineStatus.CANCELLED).get()
    assert new.purchase_order.supplier.name == "Fabrikam Hardware"
    assert new.sales_order_line == order.lines.get()

    page.goto(f"{live_server.url}/trace/lines/{new.sales_order_line_id}/")
    expect(page.get_by_text("Cancelled by buyer").first).to_be_visible()
    shot(page, "supply-cancel-05-peg-trace")
