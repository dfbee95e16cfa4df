"""The pages that edit an Entered order (issue 10, item 7): Edit Order, Add Line, and each
line's Edit and Remove on the order page; history rows on the page say what changed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from b2b_portal.web import FIRST_SUBMIT_DONE
from orders.editing import LAST_LINE, NOT_ENTERED_ORDER
from orders.models import LineStatus, SalesOrderLine
from orders.services import ZERO_PRICE_UNCONFIRMED
from tests.helpers import messages_of, place_order, snapshot, unit_user
from tests.web.changes.support import errors_of, form_data

pytestmark = pytest.mark.django_db


def edit_url(order) -> str:
    return reverse("orders:edit", args=[order.pk])


def add_url(order) -> str:
    return reverse("orders:line_add", args=[order.pk])


def line_edit_url(line) -> str:
    return reverse("orders:line_edit", args=[line.pk])


def line_remove_url(line) -> str:
    return reverse("orders:line_remove", args=[line.pk])


@pytest.fixture
def entered(world):
    return place_order(world, ("SRV-DL380-G11", "2"), book=False)


def edit_urls(order) -> list[str]:
    line = order.lines.get()
    return [edit_url(order), add_url(order), line_edit_url(line), line_remove_url(line)]


def test_the_order_page_offers_the_edits_while_entered_only(client, world, users, entered):
    client.force_login(users["clerk"])
    content = client.get(entered.get_absolute_url()).content.decode()
    assert all(url in content for url in edit_urls(entered))
    client.force_login(users["buyer"])  # sees orders, may not change them
    content = client.get(entered.get_absolute_url()).content.decode()
    assert not any(url in content for url in edit_urls(entered))
    client.force_login(users["clerk"])
    client.post(reverse("orders:book", args=[entered.pk]))
    content = client.get(entered.get_absolute_url()).content.decode()
    assert not any(url in content for url in edit_urls(entered))


def test_the_header_is_edited_and_the_history_shows_it(client, users, entered):
    client.force_login(users["clerk"])
    new_date = timezone.localdate() + timedelta(days=60)
    assert client.get(edit_url(entered)).status_code == 200
    response = client.post(
        edit_url(entered),
        form_data(customer_po_number="PO-NEW-9", requested_date=new_date.isoformat()),
        follow=True,
    )
    entered.refresh_from_db()
    assert (entered.customer_po_number, entered.requested_date) == ("PO-NEW-9", new_date)
    assert entered.lines.get().requested_date == new_date
    assert f"{entered} is changed." in messages_of(response)
    [header_row] = [row for row in response.context["history"] if row.what == "Order"][:1]
    assert header_row.record.history_user == users["clerk"]
    reason = header_row.record.history_change_reason
    assert reason.startswith("order changed: customer PO (none) -> PO-NEW-9; requested date")
    assert "customer PO (none) -&gt; PO-NEW-9" in response.content.decode()


def test_a_line_is_added_changed_and_removed_on_the_pages(client, world, users, entered):
    client.force_login(users["clerk"])
    response = client.post(
        add_url(entered),
        form_data(item=world.items["SRV-R760-XA"].pk, quantity="3", unit_selling_price=""),
        follow=True,
    )
    added = entered.lines.get(line_number=2)
    assert (added.quantity, added.unit_selling_price) == (Decimal("3.000"), Decimal("96000.00"))
    assert "Line 2 added: SRV-R760-XA x 3." in messages_of(response)

    first = entered.lines.get(line_number=1)
    page = client.get(line_edit_url(first))
    assert page.context["form"].initial["quantity"] == Decimal("2.000")
    response = client.post(
        line_edit_url(first),
        form_data(item=first.item_id, quantity="5", unit_selling_price="39000.00"),
        follow=True,
    )
    first.refresh_from_db()
    assert (first.quantity, first.unit_selling_price) == (Decimal("5.000"), Decimal("39000.00"))
    assert "Line 1 is changed." in messages_of(response)

    response = client.post(line_remove_url(added), form_data(), follow=True)
    assert not SalesOrderLine.objects.filter(pk=added.pk).exists()
    assert "Line 2 (SRV-R760-XA) is removed." in messages_of(response)
    reasons = [row.record.history_change_reason for row in response.context["history"]]
    assert reasons[:3] == [
        "line 2 removed",
        "line changed: quantity 2 -> 5; price 48,500.00 -> 39,000.00",
        "line added: SRV-R760-XA x 3",
    ]
    whats = [row.what for row in response.context["history"]][:3]
    assert whats == ["Line 2", "Line 1", "Line 2"]


def test_bad_input_changes_nothing_and_says_why(client, world, users, entered):
    client.force_login(users["clerk"])
    line = entered.lines.get()
    before = snapshot()
    response = client.post(
        line_edit_url(line), form_data(item=line.item_id, quantity="0", unit_selling_price="")
    )
    assert response.status_code == 200
    assert "Quantity must be greater than zero." in errors_of(response)
    response = client.post(line_remove_url(line), form_data())
    assert LAST_LINE in errors_of(response)
    response = client.post(edit_url(entered), form_data(requested_date="not a date"))
    assert response.status_code == 200 and errors_of(response)
    assert snapshot() == before


def test_a_price_of_zero_needs_no_charge_as_at_entry(client, users, entered):
    client.force_login(users["clerk"])
    line = entered.lines.get()
    data = form_data(item=line.item_id, quantity="2", unit_selling_price="0")
    response = client.post(line_edit_url(line), data)
    assert ZERO_PRICE_UNCONFIRMED.format(item="SRV-DL380-G11") in errors_of(response)
    client.post(line_edit_url(line), {**form_data(), **data, "no_charge": "on"})
    line.refresh_from_db()
    assert line.unit_selling_price == Decimal("0.00")


def test_a_booked_order_is_refused_on_the_form(client, world, users, entered):
    client.force_login(users["clerk"])
    client.post(reverse("orders:book", args=[entered.pk]))
    before = snapshot()
    response = client.post(
        add_url(entered),
        form_data(item=world.items["SRV-R760-XA"].pk, quantity="1", unit_selling_price=""),
    )
    assert NOT_ENTERED_ORDER.format(order=entered) in errors_of(response)
    assert snapshot() == before
    assert entered.lines.get().status != LineStatus.ENTERED


def test_a_form_posted_twice_is_done_once(client, world, users, entered):
    client.force_login(users["clerk"])
    data = form_data(item=world.items["SRV-R760-XA"].pk, quantity="1", unit_selling_price="")
    first = client.post(add_url(entered), data)
    response = client.post(add_url(entered), data)
    assert response.url == first.url == entered.get_absolute_url()
    assert FIRST_SUBMIT_DONE in messages_of(response)
    assert entered.lines.count() == 2


def test_other_roles_get_403_and_other_units_404(client, world, users, entered):
    urls = edit_urls(entered)
    client.force_login(users["buyer"])
    assert [client.get(url).status_code for url in urls] == [403] * 4
    assert client.post(urls[0], form_data(requested_date="2031-01-01")).status_code == 403
    client.force_login(unit_user(world, "eu-clerk", "Order Entry Clerk"))
    assert [client.get(url).status_code for url in urls] == [404] * 4
    before = snapshot()
    assert client.post(urls[3], form_data()).status_code == 404
    assert snapshot() == before
