"""Create Order: Save keeps the order Entered, Submit books it; bad input changes nothing."""

import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from b2b_portal.web import FIRST_SUBMIT_MADE
from catalog.models import Item
from orders.models import LineStatus, SalesOrder
from tests.helpers import history_users, messages_of, snapshot
from tests.web.orders.support import order_post

pytestmark = pytest.mark.django_db

CREATE = reverse("orders:create")


@pytest.fixture
def clerk(client, users):
    client.force_login(users["clerk"])
    return client


def test_the_page_offers_the_users_units_documents_and_one_line(clerk, world):
    page = clerk.get(CREATE)
    assert page.status_code == 200
    form, lines = page.context["form"], page.context["lines"]
    assert list(form.fields["business_unit"].queryset) == [world.units["US1"]]
    assert world.customers["C-2001"] not in form.fields["customer"].queryset
    assert len(lines.forms) == 1
    item_choices = lines.forms[0].fields["item"].queryset
    assert world.items["SRV-DL380-G11"] in item_choices
    assert world.items["SRV-DL380-EU"] not in item_choices
    assert b'name="submission_token"' in page.content
    assert b'value="submit"' in page.content  # the clerk may book


def test_save_creates_an_entered_order_with_prices_defaulted(clerk, world, users):
    response = clerk.post(
        CREATE,
        order_post(world, [("SRV-DL380-G11", "2", ""), ("CBL-CAT6-3M", "10.5", "4.10")]),
    )
    order = SalesOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:detail", args=[order.pk])
    assert order.status == LineStatus.ENTERED
    assert (order.customer_po_number, order.created_by) == ("PO-ACME-77", users["clerk"])
    lines = list(order.lines.order_by("line_number"))
    assert [(line.item.number, line.quantity, line.unit_selling_price) for line in lines] == [
        ("SRV-DL380-G11", Decimal("2"), Decimal("48500.00")),  # the list price
        ("CBL-CAT6-3M", Decimal("10.5"), Decimal("4.10")),
    ]
    assert {line.status for line in lines} == {LineStatus.ENTERED}
    assert history_users(order) == ["clerk"]
    assert history_users(lines[0]) == ["clerk"]
    page = clerk.get(response["Location"])
    assert "is saved as Entered" in messages_of(page)[0]
    assert b'action="/orders/%d/book/"' % order.pk in page.content


def test_submit_creates_and_books(clerk, world, users):
    response = clerk.post(
        CREATE,
        order_post(world, [("SRV-DL380-G11", "1", ""), ("SRV-R760-XA", "3", "")], action="submit"),
    )
    order = SalesOrder.objects.get()
    assert response.status_code == 302
    assert order.status == LineStatus.BOOKED
    assert order.booked_by == users["clerk"]
    assert [line.status for line in order.lines.all()] == [LineStatus.BOOKED, LineStatus.BOOKED]
    assert history_users(order.lines.first()) == ["clerk", "clerk"]
    assert "submitted and booked" in messages_of(clerk.get(response["Location"]))[0]


def test_submit_refused_by_booking_keeps_the_order_entered(clerk, world):
    """An item neither Back-to-Back nor stocked cannot be booked: the order is saved and
    the clerk sees why on the order page (booking is its own transaction)."""
    item = Item.objects.create(
        business_unit=world.units["US1"],
        number="SVC-RACK-INSTALL",
        description="Rack installation",
        list_price=Decimal("900.00"),
    )
    response = clerk.post(CREATE, order_post(world, [(item.pk, "5", "")], action="submit"))
    order = SalesOrder.objects.get()
    assert response["Location"] == reverse("orders:detail", args=[order.pk])
    assert order.status == LineStatus.ENTERED
    [message] = messages_of(clerk.get(response["Location"]))
    assert "saved but not submitted" in message and "Back-to-Back Enabled" in message


BAD_LINES = [
    pytest.param(("SRV-DL380-G11", "0", ""), "Quantity must be greater than zero.", id="zero"),
    pytest.param(("SRV-DL380-G11", "-2", ""), "Quantity must be greater than zero.", id="neg"),
    pytest.param(
        ("SRV-DL380-G11", "1.0005", ""), "Quantity can have at most 3 decimal places.", id="dec"
    ),
    pytest.param(("SRV-DL380-G11", "1000000000000", ""), "Quantity is too large.", id="huge-qty"),
    pytest.param(
        ("SRV-DL380-G11", "1", "1000000000000"),
        "Unit price must be at most 999,999,999,999.99.",
        id="price-10^12",
    ),
    pytest.param(("SRV-DL380-G11", "1", "-1"), "Unit price cannot be negative.", id="neg-price"),
    pytest.param(
        ("SRV-DL380-G11", "1", "1.005"), "Unit price can have at most 2 decimal places.", id="cents"
    ),
    pytest.param(("SRV-DL380-EU", "1", ""), "this one is not available to you", id="eu1-item"),
    pytest.param(("", "1", ""), "This field is required.", id="no-item"),
    pytest.param(("SRV-DL380-G11", "", ""), "This field is required.", id="no-quantity"),
]


@pytest.mark.parametrize(("line", "message"), BAD_LINES)
@pytest.mark.parametrize("action", ["save", "submit"])
def test_a_bad_line_is_refused_on_its_field_and_nothing_is_written(
    clerk, world, line, message, action
):
    before = snapshot()
    response = clerk.post(
        CREATE, order_post(world, [("SRV-R760-XA", "1", ""), line], action=action)
    )
    assert response.status_code == 200
    lines = response.context["lines"]
    assert lines.forms[0].errors == {}
    assert message in str(lines.forms[1].errors)
    assert message in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("header", "field", "message"),
    [
        ({"customer": "C-2001"}, "customer", "this one is not available to you"),
        ({"warehouse": "E1"}, "warehouse", "this one is not available to you"),
        ({"business_unit": "EU1"}, "business_unit", "this one is not available to you"),
        ({"requested_date": "15/01/2030x"}, "requested_date", "Enter a valid date."),
        ({"customer_po_number": "X" * 51}, "customer_po_number", "at most 50 characters"),
    ],
)
def test_a_bad_header_is_refused_on_its_field(clerk, world, header, field, message):
    documents = {"C-2001": world.customers, "E1": world.warehouses, "EU1": world.units}
    values = {
        name: documents[value][value].pk if value in documents else value
        for name, value in header.items()
    }
    before = snapshot()
    response = clerk.post(CREATE, order_post(world, [("SRV-DL380-G11", "1", "")], **values))
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert snapshot() == before


def test_an_order_without_lines_is_refused(clerk, world):
    before = snapshot()
    response = clerk.post(CREATE, order_post(world, [("", "", "")]))
    assert response.status_code == 200
    assert "An order needs at least one line." in response.content.decode()
    assert snapshot() == before


def test_blank_lines_between_filled_ones_are_skipped(clerk, world):
    clerk.post(
        CREATE,
        order_post(world, [("", "", ""), ("SRV-DL380-G11", "1", ""), ("", "", "")]),
    )
    assert [line.line_number for line in SalesOrder.objects.get().lines.all()] == [1]


def test_a_double_submit_makes_exactly_one_order_and_shows_it(clerk, world):
    data = order_post(world, [("SRV-DL380-G11", "1", "")], action="submit", token=uuid.uuid4().hex)
    first = clerk.post(CREATE, data)
    before = snapshot()
    second = clerk.post(CREATE, data)
    order = SalesOrder.objects.get()
    assert first.status_code == 302
    assert (second.status_code, second["Location"]) == (302, order.get_absolute_url())
    assert FIRST_SUBMIT_MADE.format(made=order) in messages_of(second)
    assert snapshot() == before


def test_a_refusal_shows_on_the_form_and_leaves_the_token_free(clerk, world, users):
    """A clerk of both units mixes them: the customer of the other unit is refused on its
    field (the choices follow the chosen unit), nothing is written, and the corrected form
    goes through with the same token."""
    world.units["EU1"].members.add(users["clerk"])
    token = uuid.uuid4().hex
    before = snapshot()
    mixed = order_post(
        world, [("SRV-DL380-G11", "1", "")], token=token, customer=world.customers["C-2001"].pk
    )
    response = clerk.post(CREATE, mixed)
    assert response.status_code == 200
    assert "belongs to another business unit" in str(response.context["form"].errors["customer"])
    assert snapshot() == before
    fixed = order_post(world, [("SRV-DL380-G11", "1", "")], token=token)
    assert clerk.post(CREATE, fixed).status_code == 302
    assert SalesOrder.objects.count() == 1


def test_add_line_without_javascript_keeps_what_was_typed(clerk, world):
    data = order_post(world, [("SRV-DL380-G11", "2", "")], token="kept", requested_date="")
    data["add_line"] = "1"
    before = snapshot()
    response = clerk.post(CREATE, data)
    assert response.status_code == 200
    lines = response.context["lines"]
    assert len(lines.forms) == 2
    assert lines.forms[0]["quantity"].value() == "2"
    assert str(lines.forms[0]["item"].value()) == str(world.items["SRV-DL380-G11"].pk)
    assert response.context["form"]["submission_token"].value() == "kept"
    assert b'name="lines-1-item"' in response.content
    assert b"This field is required" not in response.content  # not validated yet
    assert snapshot() == before


def test_htmx_adds_a_line_and_fills_its_price(clerk, world):
    new = clerk.get(reverse("orders:line_new"), {"lines-TOTAL_FORMS": "2"})
    assert new.status_code == 200
    content = new.content.decode()
    assert 'name="lines-2-item"' in content
    assert 'id="id_lines-TOTAL_FORMS" hx-swap-oob="true"' in content and 'value="3"' in content

    item = world.items["SRV-R760-XA"]
    price = clerk.get(reverse("orders:line_price"), {"line": "lines-2", "lines-2-item": item.pk})
    assert 'id="lines-2-price"' in price.content.decode()
    assert 'value="96000.00"' in price.content.decode()
    other_unit = clerk.get(
        reverse("orders:line_price"),
        {"line": "lines-0", "lines-0-item": world.items["SRV-DL380-EU"].pk},
    )
    assert "45000" not in other_unit.content.decode()


@pytest.mark.parametrize("username", ["buyer", "receiver", "shipper", "ap", "ar", "ops"])
def test_other_roles_may_not_create_orders(client, world, users, username):
    client.force_login(users[username])
    before = snapshot()
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, order_post(world, [("SRV-DL380-G11", "1", "")])).status_code == 403
    assert client.get(reverse("orders:line_new")).status_code == 403
    assert snapshot() == before


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(CREATE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_submit_needs_the_book_permission(client, world):
    """A user who may enter but not book orders is offered Save only; Submit is a 403."""
    user = get_user_model().objects.create_user("enter_only")
    user.user_permissions.add(
        Permission.objects.get(codename="add_salesorder"),
        Permission.objects.get(codename="view_salesorder"),
    )
    world.units["US1"].members.add(user)
    client.force_login(user)
    assert b'value="submit"' not in client.get(CREATE).content
    before = snapshot()
    response = client.post(CREATE, order_post(world, [("SRV-DL380-G11", "1", "")], action="submit"))
    assert response.status_code == 403
    assert snapshot() == before
