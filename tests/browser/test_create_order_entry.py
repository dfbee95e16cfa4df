"""Create Order in Chromium for a clerk of two business units: choosing a unit brings that
unit's customers, warehouses and items (htmx, under the Content-Security-Policy), and a
double click on Submit books one order and lands on it."""

import re

from playwright.sync_api import expect

from orders.models import SalesOrder
from tests.browser.conftest import assert_page_reads_well, login, shot


def test_the_unit_narrows_the_choices_and_a_double_click_books_one_order(
    page, live_server, world, users
):
    world.units["EU1"].members.add(users["clerk"])
    login(page, live_server, "clerk")
    page.goto("/orders/new/")
    customer = page.get_by_label("Customer", exact=True)
    expect(customer.locator("option", has_text="C-1001")).to_have_count(1)

    page.get_by_label("Business unit").select_option(label=str(world.units["EU1"]))
    expect(customer.locator("option", has_text="C-1001")).to_have_count(0)
    expect(customer.locator("option", has_text="C-2001")).to_have_count(1)
    item = page.get_by_label("Item")
    expect(item.locator("option", has_text="SRV-DL380-G11")).to_have_count(0)

    customer.select_option(label=str(world.customers["C-2001"]))
    page.get_by_label("Warehouse").select_option(label=str(world.warehouses["E1"]))
    item.select_option(label=str(world.items["SRV-DL380-EU"]))
    page.get_by_label("Quantity").fill("1")
    expect(page.get_by_label("Unit price")).not_to_have_value("")
    assert_page_reads_well(page, "create-order-eu1")
    shot(page, "create-order-eu1")

    page.get_by_role("button", name="Submit", exact=True).dblclick()
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    order = SalesOrder.objects.get()
    assert order.business_unit == world.units["EU1"]
    expect(page.get_by_role("heading", name=re.compile(order.number))).to_be_visible()
    shot(page, "create-order-double-click")


def test_save_back_and_save_again_warns_of_the_order_just_entered(page, live_server, world):
    """Issue 12: Chromium's Back fetches Create Order again with a new submission token, so a
    second Save of the same order (no customer PO) is no second submit of the first page: it
    is warned of, naming the order just entered with a link, and nothing is saved."""
    login(page, live_server, "clerk")

    def enter_and_save():
        page.get_by_label("Customer", exact=True).select_option(
            label=str(world.customers["C-1001"])
        )
        page.get_by_label("Item").select_option(label=str(world.items["SRV-DL380-G11"]))
        page.get_by_label("Quantity").fill("2")
        page.get_by_label("Customer PO").fill("")
        page.get_by_role("button", name="Save", exact=True).last.click()

    page.goto("/orders/new/")
    enter_and_save()
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    order = SalesOrder.objects.get()

    page.go_back()
    page.wait_for_url(re.compile(r"/orders/new/$"))
    enter_and_save()  # as typed again, or as the browser kept it

    warning = page.get_by_role("listitem").filter(has_text="You entered the same order")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Save or Submit once more to enter it anyway")
    expect(warning.get_by_role("link", name=order.number)).to_have_attribute(
        "href", order.get_absolute_url()
    )
    assert re.search(r"/orders/new/$", page.url)
    assert SalesOrder.objects.count() == 1
    assert_page_reads_well(page, "create-order-same-order-again")
    shot(page, "create-order-same-order-again")
