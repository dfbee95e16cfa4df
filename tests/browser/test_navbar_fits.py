"""The administrator's navbar fits one line at 1366 px (issue 12): eight sections of menus
wrapped it onto a second line; grouped (Supply, Finance) they fit, each section a header in
its group's dropdown."""

from playwright.sync_api import expect

from tests.browser.conftest import login, shot


def test_the_admins_navbar_is_one_line_with_grouped_menus(page, live_server, world):
    login(page, live_server, "admin")
    navbar = page.get_by_role("navigation", name="Main")
    brand = navbar.get_by_role("link", name="B2B Order Portal").bounding_box()
    sign_out = navbar.get_by_role("button", name="Sign out").bounding_box()
    # One line: the last item sits level with the brand, not below it.
    assert abs(sign_out["y"] + sign_out["height"] / 2 - (brand["y"] + brand["height"] / 2)) < 8
    navbar.get_by_role("button", name="Finance").click()
    expect(navbar.get_by_role("heading", name="Payables")).to_be_visible()
    navbar.get_by_role("link", name="AR Invoices").click()
    expect(page.get_by_role("heading", name="AR Invoices")).to_be_visible()
    shot(page, "navbar-admin-grouped")
