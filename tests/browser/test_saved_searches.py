"""Saved searches in Chromium: the buyer searches Manage Purchase Orders, saves the search
from the toolbar, opens it again from a bare list and deletes it."""

from playwright.sync_api import expect

from tests.browser.conftest import login, shot


def test_buyer_saves_opens_and_deletes_a_search(page, live_server, world, drive_to_po):
    drive_to_po(("SRV-DL380-G11", "1"))
    _, [fabrikam] = drive_to_po(("SRV-R760-XA", "1"))
    login(page, live_server, "buyer")
    page.goto("/procurement/purchase-orders/")
    expect(page.locator("tbody tr")).to_have_count(2)
    page.get_by_label("Supplier").select_option(label=str(world.suppliers["S-300"]))
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("tbody tr")).to_have_count(1)

    menu = page.get_by_test_id("saved-searches")
    menu.get_by_role("button", name="Saved filters").click()
    expect(menu.get_by_text("No saved filters for this list yet.")).to_be_visible()
    menu.get_by_label("Save these filters as").fill("Fabrikam POs")
    shot(page, "saved-searches-save")
    menu.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text('"Fabrikam POs" is saved under Saved filters.')

    page.goto("/procurement/purchase-orders/")
    expect(page.locator("tbody tr")).to_have_count(2)
    menu.get_by_role("button", name="Saved filters").click()
    shot(page, "saved-searches-menu")
    menu.get_by_role("link", name="Fabrikam POs").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text(fabrikam.purchase_order.number)

    menu.get_by_role("button", name="Saved filters").click()
    menu.get_by_role("button", name="Delete Fabrikam POs").click()
    expect(page.get_by_role("alert")).to_have_text('"Fabrikam POs" is deleted from Saved filters.')
    menu.get_by_role("button", name="Saved filters").click()
    expect(menu.get_by_text("No saved filters for this list yet.")).to_be_visible()
