"""The dashboard's lines at risk: the clerk and the buyer see the order lines whose
supply is late, with a link to late supply in the Exceptions work area."""

import pytest
from django.urls import reverse

from tests.helpers import queries_to_render, unit_user
from tests.web.changes.support import make_late

pytestmark = pytest.mark.django_db

HOME = reverse("home")
LATE_SUPPLY = reverse("orchestration:exceptions") + "?kind=Late+supply"


@pytest.fixture
def late_lines(world, drive_to_po):
    """``late_lines(count)``: an order of ``count`` lines whose PO lines are all late."""

    def make(count: int):
        order, po_lines = drive_to_po(*[("SRV-DL380-G11", "1")] * count)
        for po_line in po_lines:
            make_late(world, po_line)
        return order, po_lines

    return make


@pytest.mark.parametrize("username", ["clerk", "buyer"])
def test_the_clerk_and_the_buyer_see_the_lines_at_risk(client, users, late_lines, username):
    order, [po_line] = late_lines(1)
    client.force_login(users[username])
    response = client.get(HOME)
    line = order.lines.get()
    assert response.context["at_risk"] == [line] and response.context["at_risk_count"] == 1
    content = response.content.decode()
    assert str(line) in content and line.get_absolute_url() in content
    assert order.get_absolute_url() in content  # both roles open orders
    assert LATE_SUPPLY.replace("&", "&amp;") in content
    late_supply = client.get(LATE_SUPPLY).context["rows"]
    assert [(row.entry.kind, row.entry.sales_order_line) for row in late_supply] == [
        ("Late supply", line)
    ]
    opens_pos = username == "buyer"
    assert (po_line.purchase_order.get_absolute_url() in content) == opens_pos


def test_other_roles_and_units_do_not_see_them(client, world, users, late_lines):
    late_lines(1)
    client.force_login(users["shipper"])
    assert client.get(HOME).context["at_risk"] is None
    client.force_login(unit_user(world, "eu_clerk", "Order Entry Clerk"))
    response = client.get(HOME)
    assert response.context["at_risk"] == [] and response.context["at_risk_count"] == 0


def test_the_number_of_queries_does_not_grow_with_the_lines_at_risk(client, users, late_lines):
    client.force_login(users["buyer"])
    late_lines(1)
    counts = []
    for _ in range(2):
        counts.append(queries_to_render(client, HOME))
        late_lines(12)
    response = client.get(HOME)
    assert response.context["at_risk_count"] == 25 and len(response.context["at_risk"]) == 10
    assert counts[0] == counts[1]
