"""Operations in Chromium: the schedules on Scheduled Processes (pause, resume), Schedule New
Process showing only the chosen process's parameters (htmx, under the CSP) and taking a
sales order by its number, the run page naming its parameters, and Background Health. Each
page fits a 1,366 px window."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import login, shot
from tests.helpers import place_order
from tests.processes.support import ensure_default_schedules

WIDTH = 1366
PROGRESS_ORDER_DEFAULT = "Progress Order (default, every 5 min)"


def fits_the_window(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_operations_steer_schedules_choose_parameters_and_read_health(page, live_server, world):
    ensure_default_schedules()
    order = place_order(world, ("SRV-DL380-G11", "1"))
    page.set_viewport_size({"width": WIDTH, "height": 900})
    login(page, live_server, "ops")

    page.goto("/processes/")
    row = (
        page.get_by_test_id("schedules").get_by_role("row").filter(has_text=PROGRESS_ORDER_DEFAULT)
    )
    expect(row).to_contain_text("every 5 min, at :00, :05, :10 ...")
    expect(row).to_contain_text("Enabled")
    assert fits_the_window(page)
    shot(page, "processes-schedules")

    row.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("alert")).to_contain_text(f"{PROGRESS_ORDER_DEFAULT} is paused")
    expect(row).to_contain_text("Paused")
    expect(row).to_contain_text("paused by ops")
    shot(page, "processes-schedule-paused")
    row.get_by_role("button", name="Resume").click()
    expect(page.get_by_role("alert")).to_contain_text("is resumed: its next run is at")
    expect(row).to_contain_text("Enabled")

    page.get_by_role("link", name="Schedule New Process").click()
    parameters = page.get_by_test_id("process-parameters")
    page.get_by_label("Process").select_option(label="Import AutoInvoice")
    expect(parameters).to_contain_text("Parameters of Import AutoInvoice")
    expect(page.get_by_label("Item")).to_have_count(0)
    expect(page.get_by_label("Sales order")).to_have_count(0)
    shot(page, "schedule-new-process-autoinvoice")
    page.get_by_label("Process").select_option(label="Progress Order")
    expect(parameters).to_contain_text("Parameters of Progress Order")
    page.get_by_label("Sales order").fill(order.number)
    assert fits_the_window(page)
    shot(page, "schedule-new-process-progress-order")
    page.get_by_role("button", name="Submit").click()

    page.wait_for_url(re.compile(r"/processes/runs/\d+/$"))
    expect(page.get_by_text(f"Sales order: {order.number}")).to_be_visible()
    expect(page.get_by_text("Business unit: US1")).to_be_visible()
    shot(page, "run-detail-parameters-by-name")

    navbar = page.get_by_role("navigation", name="Main")
    navbar.get_by_role("button", name="Operations").click()
    navbar.get_by_role("link", name="Background Health").click()
    expect(page.get_by_role("heading", name="Background Health")).to_be_visible()
    expect(page.get_by_test_id("check-broker")).to_contain_text("OK")
    expect(page.get_by_test_id("health-summary")).to_contain_text("nothing needs you")
    assert fits_the_window(page)
    shot(page, "background-health")
