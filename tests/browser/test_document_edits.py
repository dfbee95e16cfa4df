"""Issue 10, item 7 in the browser: the clerk edits an Entered order (header, a line added,
changed and removed) and the buyer a Draft PO (a line's price and quantity, the note to the
supplier); each page's history shows who changed what."""

import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from orders.models import SalesOrderLine
from tests.browser.conftest import assert_page_reads_well, login, shot
from tests.helpers import place_order


def test_the_clerk_edits_an_entered_order(page, live_server, world):
    order = place_order(world, ("SRV-DL380-G11", "2"), book=False)
    order_url = f"{live_server.url}{order.get_absolute_url()}"
    login(page, live_server, "clerk")
    page.goto(order_url)
    shot(page, "edits-01-entered-order")

    page.get_by_role("link", name="Edit Order").click()
    page.get_by_label("Customer PO").fill("PO-ACME-2040")
    requested = timezone.localdate() + timedelta(days=40)
    page.get_by_label("Requested date").fill(requested.isoformat())
    assert_page_reads_well(page, "order edit")
    shot(page, "edits-02-order-header")
    page.get_by_role("button", name="Save Changes").click()
    page.wait_for_url(re.compile(rf"/orders/{order.pk}/$"))
    expect(page.get_by_text(f"{order} is changed.")).to_be_visible()

    page.get_by_role("link", name="Add Line").click()
    page.get_by_label("Item").select_option(value=str(world.items["SRV-R760-XA"].pk))
    page.get_by_label("Quantity").fill("4")
    shot(page, "edits-03-add-line")
    page.get_by_role("button", name="Add Line").click()
    expect(page.get_by_text("Line 2 added: SRV-R760-XA x 4.")).to_be_visible()

    page.get_by_role("link", name="Edit line 1").click()
    page.get_by_label("Quantity").fill("5")
    page.get_by_role("button", name="Save Line").click()
    expect(page.get_by_text("Line 1 is changed.")).to_be_visible()

    page.get_by_role("link", name="Remove line 2").click()
    assert_page_reads_well(page, "line remove")
    shot(page, "edits-04-remove-line")
    page.get_by_role("button", name="Remove Line").click()
    expect(page.get_by_text("Line 2 (SRV-R760-XA) is removed.")).to_be_visible()

    history = page.get_by_test_id("history")
    expect(history).to_contain_text("line 2 removed")
    expect(history).to_contain_text("line changed: quantity 2 -> 5")
    expect(history).to_contain_text("order changed: customer PO (none) -> PO-ACME-2040")
    assert_page_reads_well(page, "edited order")
    shot(page, "edits-05-order-history")
    line = SalesOrderLine.objects.get(order=order)
    assert (line.quantity, line.requested_date) == (Decimal("5.000"), requested)


def test_the_buyer_edits_a_draft_po(page, live_server, world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "3"), approve=False)
    purchase_order = po_line.purchase_order
    login(page, live_server, "buyer")
    page.goto(f"{live_server.url}{purchase_order.get_absolute_url()}")
    shot(page, "edits-06-draft-po")

    page.get_by_role("link", name="Edit line 1").click()
    page.get_by_label("Unit price").fill("39000.00")
    page.get_by_label("Quantity").fill("2")
    assert_page_reads_well(page, "po line edit")
    shot(page, "edits-07-po-line")
    page.get_by_role("button", name="Save Line").click()
    page.wait_for_url(re.compile(rf"/procurement/purchase-orders/{purchase_order.pk}/$"))
    expect(page.get_by_text("the other 1 is a new order line")).to_be_visible()

    page.get_by_role("link", name="Note to the Supplier").click()
    page.get_by_label("Note to the supplier").fill("Deliver to dock 4, mornings only.")
    page.get_by_role("button", name="Save Note").click()
    expect(page.get_by_test_id("supplier-note")).to_have_text("Deliver to dock 4, mornings only.")
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("note to the supplier set")
    expect(history).to_contain_text("line changed: price 39,800.00 -> 39,000.00; quantity 3 -> 2")
    assert_page_reads_well(page, "edited po")
    shot(page, "edits-08-po-history")

    page.goto(f"{live_server.url}/procurement/purchase-orders/{purchase_order.pk}/print/")
    expect(page.get_by_text("Deliver to dock 4, mornings only.")).to_be_visible()
    po_line.refresh_from_db()
    assert (po_line.quantity, po_line.unit_price) == (Decimal("2.000"), Decimal("39000.00"))
    assert order.lines.filter(split_from=po_line.sales_order_line).count() == 1
