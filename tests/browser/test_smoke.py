"""The browser infrastructure end to end: Chromium signs in to the live portal, operations
queue a process run from the Scheduled Processes page and see it succeed, and a clerk is
refused the page."""

import re

from playwright.sync_api import expect

from processes.models import ProcessRun, RunStatus
from tests.browser.conftest import login, logout, shot


def test_operations_run_a_process_and_a_clerk_is_refused(page, live_server, world):
    login(page, live_server, "ops")

    # Through the navbar's Operations menu (Bootstrap's dropdown: the local JS works).
    navbar = page.get_by_role("navigation", name="Main")
    navbar.get_by_role("button", name="Operations").click()
    navbar.get_by_role("link", name="Scheduled Processes").click()
    expect(page.get_by_role("heading", name="Scheduled Processes")).to_be_visible()

    page.get_by_role("link", name="Schedule New Process").click()
    page.get_by_label("Process").select_option(label="Generate Supply Orders")
    # htmx swaps in Generate's parameters; a post before that would be sent back to check them.
    expect(page.get_by_test_id("process-parameters")).to_contain_text("Generate Supply Orders")
    page.get_by_role("button", name="Submit").click()

    # Celery is eager in tests: the run has finished by the time the detail page shows.
    page.wait_for_url(re.compile(r"/processes/runs/\d+/$"))
    expect(page.get_by_test_id("run-status")).to_have_text("Succeeded")
    expect(page.get_by_role("alert")).to_contain_text("queued")
    shot(page, "smoke-operations-run-detail")
    run = ProcessRun.objects.get()
    assert (run.process, run.status, run.requested_by.username) == (
        "generate_supply_orders",
        RunStatus.SUCCEEDED,
        "ops",
    )
    assert page.url.endswith(f"/processes/runs/{run.pk}/")
    logout(page)

    login(page, live_server, "clerk")
    expect(page.get_by_role("link", name="Scheduled Processes")).to_have_count(0)
    response = page.goto("/processes/")
    assert response.status == 403
    shot(page, "smoke-clerk-403")
