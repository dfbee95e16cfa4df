"""Issue 14, item 2: the Exceptions work area and the dashboard rank lines at risk by
days late; the work area offers the clerk the re-promise."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement.services import purchase_order_line_update
from tests.helpers import unit_user

pytestmark = pytest.mark.django_db

EXCEPTIONS = reverse("orchestration:exceptions")


@pytest.fixture
def late_by(world, drive_to_po):
    """``late_by(days)``: an order line whose draft PO line is promised ``days`` after the
    line's scheduled ship date (30 days out)."""

    def make(days: int):
        order, [po_line] = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
        purchase_order_line_update(
            actor=world.users["buyer"],
            line=po_line,
            unit_price=po_line.unit_price,
            quantity=po_line.quantity,
            promised_date=timezone.localdate() + timedelta(days=30 + days),
        )
        return order.lines.get()

    return make


def test_the_work_area_ranks_supply_after_the_ship_date_by_days_late(client, users, late_by):
    two, nine, five = late_by(2), late_by(9), late_by(5)
    client.force_login(users["clerk"])

    rows = client.get(EXCEPTIONS, {"sort": "-days_late"}).context["rows"]

    assert [(row.entry.kind, row.entry.sales_order_line, row.entry.days_late) for row in rows] == [
        ("Supply after the ship date", nine, 9),
        ("Supply after the ship date", five, 5),
        ("Supply after the ship date", two, 2),
    ]
    [(label, url)] = rows[0].actions
    assert label == "Re-promise"
    assert url.startswith(reverse("orchestration:line_repromise", args=[nine.pk]))
    assert rows[0].entry.message == (
        f"{nine} ships {nine.scheduled_ship_date}; its supply is expected 9 days later."
    )
    found = client.get(EXCEPTIONS, {"q": "9 days later"}).context["rows"]
    assert [row.entry.sales_order_line for row in found] == [nine]


def test_the_buyer_sees_the_entry_without_the_clerks_action(client, users, late_by):
    late_by(3)
    client.force_login(users["buyer"])
    [row] = client.get(EXCEPTIONS).context["rows"]
    assert row.entry.owner_role == "Buyer" and row.actions == []


def test_the_dashboard_lists_the_most_days_late_first(client, world, users, late_by):
    two, nine = late_by(2), late_by(9)
    client.force_login(users["clerk"])
    response = client.get(reverse("home"))
    assert response.context["at_risk"] == [nine, two]
    assert response.context["at_risk_count"] == 2
    client.force_login(unit_user(world, "eu_clerk", "Order Entry Clerk"))
    assert client.get(reverse("home")).context["at_risk_count"] == 0
