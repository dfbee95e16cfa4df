"""Issue 13 item 3 in the browser: a 120-line PO shows its lines 50 at a time; the buyer
goes to the second page, whose lines keep their edit links, and the total still counts
every line."""

import re

from playwright.sync_api import expect

from b2b_portal.fields import format_money
from tests.browser.conftest import assert_page_reads_well, login, shot


def test_the_buyer_pages_through_a_120_line_po(page, live_server, drive_to_po):
    _, po_lines = drive_to_po(*[("SRV-DL380-G11", "1")] * 120, approve=False)
    purchase_order = po_lines[0].purchase_order
    login(page, live_server, "buyer")
    page.goto(f"{live_server.url}{purchase_order.get_absolute_url()}")
    pager = page.get_by_test_id("line-pager").first  # the lines'; the history has its own
    expect(pager.get_by_test_id("line-range")).to_have_text("Lines 1-50 of 120")
    total = format_money(purchase_order.total_amount, purchase_order.currency_code)
    expect(page.locator("tfoot")).to_contain_text(total)

    pager.get_by_role("link", name="2", exact=True).click()
    page.wait_for_url(re.compile(rf"/purchase-orders/{purchase_order.pk}/\?lines=2$"))
    expect(pager.get_by_test_id("line-range")).to_have_text("Lines 51-100 of 120")
    rows = page.locator("table").first.locator("tbody tr")
    expect(rows).to_have_count(50)
    expect(rows.first.locator("td").first).to_have_text("51")
    expect(page.get_by_role("link", name="Edit line 51", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Edit line 1", exact=True)).to_have_count(0)
    expect(page.locator("tfoot")).to_contain_text(total)
    assert_page_reads_well(page, "PO page 2 of its lines")
    shot(page, "po-120-lines-page-2")

    pager.get_by_role("link", name="Next").click()
    expect(pager.get_by_test_id("line-range")).to_have_text("Lines 101-120 of 120")
