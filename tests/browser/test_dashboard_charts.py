"""Issue 12 item 10: the dashboard's open pipeline and its lines at risk by days late
(issue 14) as charts in Chromium, under the portal's Content-Security-Policy (inline SVG
with presentation attributes: no style attribute for the policy to refuse), kept as
``test-output/screenshots/csp-dashboard-charts.png``."""

import re

import pytest

from tests.browser import test_csp
from tests.browser.conftest import login
from tests.helpers import place_order
from tests.web.changes.support import make_days_late, make_late

watched = test_csp.watched

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_buyer_sees_both_charts_without_a_policy_violation(
    watched, live_server, world, drive_to_po
):
    _order, po_lines = drive_to_po(*[("SRV-DL380-G11", "1")] * 4)
    for po_line, days in zip(po_lines, [3, 12, 12], strict=False):
        make_days_late(world, po_line, days)
    make_late(world, po_lines[3])  # past its promise, its ship date still ahead: 0 days late
    place_order(world, ("SRV-R760-XA", "1"), book=False)
    login(watched, live_server, "buyer")
    watched.visit("dashboard-charts", "/")
    for slug in ("pipeline", "late-supply"):
        chart = watched.locator(f'svg[data-testid="chart-{slug}"]')
        assert chart.is_visible()
        box = chart.locator("rect").first.bounding_box()
        assert box and box["height"] > 0
    late = watched.locator('svg[data-testid="chart-late-supply"] g[data-count="2"] rect')
    assert late.bounding_box()["width"] == 260  # the longest bar: two lines 8-30 days late
    assert watched.get_by_test_id("late-supply-8-30-days-late").inner_text() == "2"
    assert watched.get_by_test_id("pipeline-closed").count() == 0  # history: not drawn
    # The counts may be a minute old (HOME_COUNTS_SECONDS): the page says when they were made.
    assert re.fullmatch(r"\d\d:\d\d", watched.get_by_test_id("counted-at").inner_text())
    assert not watched.violations.found, "\n".join(watched.violations.found)
