"""Close short: the PO page's link and the form that splits the order line."""

from decimal import Decimal

import pytest
from django.urls import reverse

from orchestration.services import Remainder
from orders.models import LineStatus, SalesOrderLine
from procurement.models import POLineStatus, POStatus, SupplyStatus
from tests.helpers import messages_of, receive, snapshot, unit_user
from tests.web.changes.support import errors_of, form_data, make_late

pytestmark = pytest.mark.django_db


def close_short_url(po_line) -> str:
    return reverse("orchestration:po_line_close_short", args=[po_line.pk])


@pytest.fixture
def short_shipped(world, drive_to_po):
    """A PO line of 3, 1 received, late: the supplier will send no more."""
    _order, [po_line] = drive_to_po(("SRV-DL380-G11", "3"))
    receive(world, po_line, "1")
    make_late(world, po_line)
    po_line.refresh_from_db()
    return po_line


def test_the_po_page_offers_close_short_on_a_partly_received_line(
    client, world, users, drive_to_po, short_shipped
):
    _, [untouched] = drive_to_po(("SRV-R760-XA", "1"))
    client.force_login(users["buyer"])
    content = client.get(short_shipped.purchase_order.get_absolute_url()).content.decode()
    assert close_short_url(short_shipped) in content
    content = client.get(untouched.purchase_order.get_absolute_url()).content.decode()
    assert close_short_url(untouched) not in content  # nothing received: cancel instead
    client.force_login(users["receiver"])  # sees the PO, may not change it
    content = client.get(short_shipped.purchase_order.get_absolute_url()).content.decode()
    assert close_short_url(short_shipped) not in content


@pytest.mark.parametrize("remainder", [Remainder.RESUPPLY, Remainder.CANCEL])
def test_closing_short_splits_the_order_line(client, users, short_shipped, remainder):
    original = short_shipped.sales_order_line
    client.force_login(users["buyer"])
    page = client.get(close_short_url(short_shipped))
    assert page.status_code == 200 and "2 not delivered" in page.content.decode()

    response = client.post(
        close_short_url(short_shipped),
        form_data(remainder=remainder, reason="model discontinued"),
        follow=True,
    )

    short_shipped.refresh_from_db()
    original.refresh_from_db()
    split = SalesOrderLine.objects.get(split_from=original)
    assert (short_shipped.quantity, short_shipped.status) == (1, POLineStatus.CLOSED_FOR_RECEIVING)
    assert short_shipped.late_since is None
    assert short_shipped.purchase_order.status == POStatus.CLOSED_FOR_RECEIVING
    assert short_shipped.requisition_line.supply_order.status == SupplyStatus.RECEIVED
    assert (original.quantity, original.status, original.at_risk) == (
        Decimal("1"),
        LineStatus.AWAITING_SHIPPING,
        False,
    )
    expected = LineStatus.CANCELLED if remainder == Remainder.CANCEL else LineStatus.BOOKED
    assert (split.quantity, split.status) == (Decimal("2"), expected)
    assert short_shipped.history.latest().history_user == users["buyer"]
    rest = (
        "is cancelled"
        if remainder == Remainder.CANCEL
        else "waits for a supply of its own (Progress Order is queued)"
    )
    assert messages_of(response) == [
        f"{short_shipped} is closed for receiving at 1. {original} keeps the 1 received; "
        f"line 2 for the 2 not delivered {rest}."
    ]
    assert response.request["PATH_INFO"] == short_shipped.purchase_order.get_absolute_url()


def test_closing_short_with_nothing_received_is_refused_on_the_form(client, users, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    client.force_login(users["buyer"])
    before = snapshot()

    response = client.post(
        close_short_url(po_line), form_data(remainder=Remainder.CANCEL, reason="gone")
    )

    assert errors_of(response) == [f"Nothing was received on {po_line}: cancel it instead."]
    assert snapshot() == before


def test_the_choice_and_the_reason_are_required(client, users, short_shipped):
    client.force_login(users["buyer"])
    before = snapshot()
    response = client.post(close_short_url(short_shipped), form_data(remainder="", reason=""))
    assert errors_of(response) == [
        "Choose whether the rest is supplied again or cancelled.",
        "Say why the line is closed short.",
    ]
    response = client.post(
        close_short_url(short_shipped), form_data(remainder="refund", reason="x")
    )
    assert errors_of(response) == [
        "Select a valid choice. refund is not one of the available choices."
    ]
    assert snapshot() == before


def test_roles_without_the_permission_get_403_and_other_units_404(
    client, world, users, short_shipped
):
    before = snapshot()
    data = form_data(remainder=Remainder.CANCEL, reason="x")
    client.force_login(users["clerk"])
    assert client.get(close_short_url(short_shipped)).status_code == 403
    assert client.post(close_short_url(short_shipped), data).status_code == 403
    client.force_login(unit_user(world, "eu_buyer", "Buyer"))
    assert client.get(close_short_url(short_shipped)).status_code == 404
    assert client.post(close_short_url(short_shipped), data).status_code == 404
    assert snapshot() == before
