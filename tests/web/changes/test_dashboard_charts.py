"""Issue 12 item 10: the dashboard's pipeline and late supply as inline SVG bar charts,
drawn from the counts the page shows in its tables (the charts' text fallback)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import SalesOrderLine
from procurement.models import PurchaseOrderLine
from tests.helpers import place_order
from tests.web.changes.support import make_days_late, make_late

pytestmark = pytest.mark.django_db

HOME = reverse("home")
BAR = re.compile(
    r'<g data-testid="bar" data-label="(?P<label>[^"]*)" data-count="(?P<count>\d+)">'
    r'.*?<rect [^>]*width="(?P<width>\d+)"',
    re.S,
)


def chart(content: str, slug: str) -> str:
    match = re.search(rf'<svg [^>]*data-testid="chart-{slug}".*?</svg>', content, re.S)
    assert match, f"no {slug} chart"
    return match.group()


def bars(svg: str) -> dict[str, tuple[int, int]]:
    return {m["label"]: (int(m["count"]), int(m["width"])) for m in BAR.finditer(svg)}


def test_the_pipeline_chart_has_a_bar_per_status_as_long_as_its_count(client, world, users):
    place_order(world, ("SRV-DL380-G11", "1"))
    place_order(world, ("SRV-R760-XA", "1"), ("STO-A400-96T", "2"))
    place_order(world, ("SRV-DL380-G11", "1"), book=False)
    client.force_login(users["clerk"])
    response = client.get(HOME)
    svg = chart(response.content.decode(), "pipeline")
    drawn = bars(svg)
    assert {label: count for label, (count, _) in drawn.items()} == dict(
        response.context["pipeline"]
    )
    assert drawn["Booked"] == (3, 260) and drawn["Entered"] == (1, 87)  # 260 px for the most
    assert "Closed" not in drawn and "Cancelled" not in drawn  # history: not open work
    # Accessible: a named image with a description that says the numbers.
    assert 'role="img"' in svg and "<title" in svg and "Booked: 3" in svg
    assert "style=" not in svg  # the CSP refuses style attributes; fill= is used


def test_the_jeopardy_chart_counts_the_lines_at_risk_by_their_days_late(
    client, world, users, drive_to_po
):
    """Issue 14: by the line's days late (its supply against its ship date), not by how long
    the supplier is past the PO's promise."""
    _order, po_lines = drive_to_po(*[("SRV-DL380-G11", "1")] * 5)
    for po_line, days in zip(po_lines, [3, 7, 12, 45], strict=False):
        make_days_late(world, po_line, days)
    # Past its promise for 40 days, yet its ship date is still ahead: at risk, 0 days late.
    past_promise = po_lines[4]
    make_late(world, past_promise)
    PurchaseOrderLine.objects.filter(pk=past_promise.pk).update(
        promised_date=timezone.localdate() - timedelta(days=40)
    )
    at_risk = SalesOrderLine.objects.filter(at_risk=True).order_by("pk")
    assert list(at_risk.values_list("days_late", flat=True)) == [3, 7, 12, 45, 0]
    client.force_login(users["buyer"])
    response = client.get(HOME)
    assert response.context["late_supply"] == [
        ("0 days late", 1),
        ("1-7 days late", 2),
        ("8-30 days late", 1),
        ("Over 30 days late", 1),
    ]
    assert response.context["at_risk_count"] == 5
    drawn = bars(chart(response.content.decode(), "late-supply"))
    assert drawn == {
        "0 days late": (1, 130),
        "1-7 days late": (2, 260),
        "8-30 days late": (1, 130),
        "Over 30 days late": (1, 130),
    }


def test_a_role_without_lines_at_risk_gets_no_late_supply_chart(client, users):
    client.force_login(users["shipper"])
    content = client.get(HOME).content.decode()
    assert 'data-testid="chart-pipeline"' in content
    assert 'data-testid="chart-late-supply"' not in content
