"""Issue 14, items 1 and 2 in the browser: the order page shows each line's scheduled ship
date (before booking, the date booking today gives), a line whose supply is promised later
is shown days late, and the clerk re-promises it."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from procurement.services import purchase_order_line_update
from tests.browser.conftest import assert_page_reads_well, login, shot
from tests.helpers import place_order


def in_days(days):
    return timezone.localdate() + timedelta(days=days)


def test_the_clerk_sees_the_ship_date_and_re_promises_a_late_line(
    page, live_server, world, drive_to_po
):
    entered = place_order(world, ("SRV-DL380-G11", "1"), book=False)
    login(page, live_server, "clerk")
    page.goto(f"{live_server.url}{entered.get_absolute_url()}")
    expect(page.get_by_test_id("ships")).to_contain_text(f"{in_days(30):%Y-%m-%d}")
    expect(page.get_by_test_id("ships")).to_contain_text("if booked today")
    shot(page, "promise-01-entered-order-ship-date")

    order, [po_line] = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    purchase_order_line_update(
        actor=world.users["buyer"],
        line=po_line,
        unit_price=po_line.unit_price,
        quantity=po_line.quantity,
        promised_date=in_days(37),
    )
    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    expect(page.get_by_test_id("days-late")).to_have_text("7 days late")
    assert_page_reads_well(page, "order at risk")
    shot(page, "promise-02-order-line-days-late")

    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("at-risk-days-late")).to_have_text("7")
    shot(page, "promise-03-dashboard-lines-at-risk")
    page.goto(f"{live_server.url}{reverse('orchestration:exceptions')}?sort=-days_late")
    expect(page.get_by_test_id("exception-days-late")).to_have_text("7 days late")
    assert_page_reads_well(page, "exceptions by days late")
    shot(page, "promise-04-exceptions-by-days-late")
    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    page.get_by_role("link", name="Re-promise line 1").click()
    page.get_by_label("New scheduled ship date").fill(f"{in_days(38):%Y-%m-%d}")
    page.get_by_label("Reason").fill("Customer accepts the supplier's date")
    assert_page_reads_well(page, "re-promise")
    shot(page, "promise-05-re-promise-form")
    page.get_by_role("button", name="Re-promise").click()
    page.wait_for_url(re.compile(rf"/orders/{order.pk}/$"))
    expect(page.get_by_text("(supply on time)")).to_be_visible()
    expect(page.get_by_test_id("ships")).to_contain_text(f"{in_days(38):%Y-%m-%d}")
    expect(page.get_by_test_id("history")).to_contain_text("Customer accepts the supplier's date")
    shot(page, "promise-06-re-promised")
