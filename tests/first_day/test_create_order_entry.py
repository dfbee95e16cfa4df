"""Create Order as a new user meets it: a double click shows the order the first click made,
a repeated customer PO warns before saving, and the choices follow the chosen unit."""

import threading
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from b2b_portal.web import FIRST_SUBMIT_MADE
from orders.forms import REPEATED_CUSTOMER_PO, REPEATED_ORDER
from orders.models import SalesOrder
from orders.selectors import recent_identical_order
from tests.helpers import messages_of, snapshot
from tests.web.orders.support import order_post

pytestmark = pytest.mark.django_db

CREATE = reverse("orders:create")


@pytest.fixture
def clerk(client, users):
    client.force_login(users["clerk"])
    return client


def test_a_double_click_waits_for_the_first_submit_and_shows_its_order(clerk, world):
    """The second request arrives while the first is still saving: it waits for it and lands
    on the order the first made, never on the form with an error."""
    token = uuid.uuid4().hex
    key = f"form-submitted:{token}"
    cache.add(key, True, 60)  # the first submit is at work
    made = {"url": "/orders/4242/", "made": "SO-004242"}
    threading.Timer(0.5, cache.set, args=(key, made, 60)).start()

    second = clerk.post(CREATE, order_post(world, [("SRV-DL380-G11", "1", "")], token=token))

    assert (second.status_code, second["Location"]) == (302, "/orders/4242/")
    assert messages_of(second) == [FIRST_SUBMIT_MADE.format(made="SO-004242")]
    assert not SalesOrder.objects.exists()


def test_a_repeated_customer_po_warns_then_saves_when_posted_again(clerk, world):
    first = clerk.post(CREATE, order_post(world, [("SRV-DL380-G11", "1", "")]))
    earlier = SalesOrder.objects.get()
    assert first.status_code == 302
    before = snapshot()

    # Another quantity: only the customer PO is repeated.
    again = clerk.post(CREATE, order_post(world, [("SRV-DL380-G11", "2", "")]))

    warning = REPEATED_CUSTOMER_PO.format(
        number="PO-ACME-77", customer="Acme Analytics", orders=str(earlier)
    )
    assert again.status_code == 200
    assert again.context["form"].non_field_errors() == [warning]
    assert snapshot() == before
    confirmed = again.context["form"]["repeated"].value()
    assert confirmed == "PO-ACME-77"
    assert 'name="repeated" value="PO-ACME-77"' in again.content.decode()

    data = order_post(world, [("SRV-DL380-G11", "2", "")], repeated=confirmed)
    assert clerk.post(CREATE, data).status_code == 302
    assert SalesOrder.objects.count() == 2


def _same_order_warning(order):
    return REPEATED_ORDER.format(
        customer="Acme Analytics",
        minutes=settings.ORDER_REPEAT_WINDOW_MINUTES,
        url=order.get_absolute_url(),
        order=order,
    )


def test_the_same_order_again_with_a_new_token_warns_then_saves_when_posted_again(clerk, world):
    """Chromium's Back brings Create Order again with a new token: Save once more, with no
    customer PO, warns of the order just entered, names it with a link and saves nothing;
    posted again with the confirmation it is entered."""
    lines = [("SRV-DL380-G11", "2", ""), ("SRV-DL380-G11", "1", "")]
    first = clerk.post(CREATE, order_post(world, lines, customer_po_number=""))
    assert first.status_code == 302
    earlier = SalesOrder.objects.get()
    before = snapshot()

    # The same lines in another order, a new token: the same order.
    again = clerk.post(CREATE, order_post(world, lines[::-1], customer_po_number=""))

    assert again.status_code == 200
    assert again.context["form"].non_field_errors() == [_same_order_warning(earlier)]
    assert snapshot() == before
    page = again.content.decode()
    assert f'<a href="{earlier.get_absolute_url()}">{earlier}</a>' in page
    confirmed = again.context["form"]["repeated"].value()
    assert confirmed == str(earlier)
    assert f'name="repeated" value="{earlier}"' in page

    data = order_post(world, lines, customer_po_number="", repeated=confirmed)
    assert clerk.post(CREATE, data).status_code == 302
    assert SalesOrder.objects.count() == 2


def test_a_repeated_po_and_the_same_lines_are_one_warning_and_one_confirmation(clerk, world):
    clerk.post(CREATE, order_post(world, [("SRV-DL380-G11", "1", "")]))
    earlier = SalesOrder.objects.get()

    again = clerk.post(CREATE, order_post(world, [("SRV-DL380-G11", "1", "")]))

    assert again.context["form"].non_field_errors() == [
        REPEATED_CUSTOMER_PO.format(
            number="PO-ACME-77", customer="Acme Analytics", orders=str(earlier)
        ),
        _same_order_warning(earlier),
    ]
    confirmed = again.context["form"]["repeated"].value()
    data = order_post(world, [("SRV-DL380-G11", "1", "")], repeated=confirmed)
    assert clerk.post(CREATE, data).status_code == 302
    assert SalesOrder.objects.count() == 2


@pytest.mark.parametrize(
    "change",
    [
        {"lines": [("SRV-DL380-G11", "3", "")]},
        {"lines": [("SRV-DL380-G11", "1", ""), ("SRV-DL380-G11", "1", "")]},
        {"customer": "C-1002"},
        {"minutes_ago": 11},
    ],
    ids=["another-quantity", "another-line", "another-customer", "older-than-the-window"],
)
def test_an_order_not_the_same_or_not_recent_is_no_warning(clerk, world, settings, change):
    settings.ORDER_REPEAT_WINDOW_MINUTES = 10
    clerk.post(CREATE, order_post(world, [("SRV-DL380-G11", "1", "")], customer_po_number=""))
    if minutes := change.get("minutes_ago"):
        SalesOrder.objects.update(created_at=timezone.now() - timedelta(minutes=minutes))
    customer = world.customers[change.get("customer", "C-1001")].pk
    lines = change.get("lines", [("SRV-DL380-G11", "1", "")])

    again = clerk.post(CREATE, order_post(world, lines, customer_po_number="", customer=customer))

    assert again.status_code == 302
    assert SalesOrder.objects.count() == 2


def test_the_same_order_entered_by_another_user_is_no_warning(clerk, world, users):
    clerk.post(CREATE, order_post(world, [("SRV-DL380-G11", "1", "")], customer_po_number=""))
    SalesOrder.objects.update(created_by=users["admin"])

    again = clerk.post(
        CREATE, order_post(world, [("SRV-DL380-G11", "1", "")], customer_po_number="")
    )

    assert again.status_code == 302
    assert SalesOrder.objects.count() == 2


def test_the_repeat_check_is_one_query(world, users, django_assert_num_queries):
    lines = [(world.items["SRV-DL380-G11"], Decimal("1")), (world.items["SRV-DL380-G11"], 2)]
    with django_assert_num_queries(1):
        assert (
            recent_identical_order(
                user=users["clerk"],
                customer=world.customers["C-1001"],
                lines=lines,
                since=timezone.now() - timedelta(minutes=10),
            )
            is None
        )


def test_the_same_po_number_of_another_customer_is_no_warning(clerk, world):
    clerk.post(CREATE, order_post(world, [("SRV-DL380-G11", "1", "")]))
    other = order_post(world, [("SRV-DL380-G11", "1", "")], customer=world.customers["C-1002"].pk)
    assert clerk.post(CREATE, other).status_code == 302
    assert SalesOrder.objects.count() == 2


@pytest.fixture
def two_unit_clerk(clerk, world, users):
    world.units["EU1"].members.add(users["clerk"])
    return clerk


def test_the_chosen_unit_narrows_customers_warehouses_and_items(two_unit_clerk, world):
    eu1, us1 = world.units["EU1"], world.units["US1"]
    page = two_unit_clerk.get(CREATE, {"business_unit": eu1.pk})  # what htmx asks for
    form, [line] = page.context["form"], page.context["lines"].forms
    assert {c.business_unit for c in form.fields["customer"].queryset} == {eu1}
    assert list(form.fields["warehouse"].queryset) == [world.warehouses["E1"]]
    assert {i.business_unit for i in line.fields["item"].queryset} == {eu1}
    assert 'id="order-entry"' in page.content.decode()

    unchosen = two_unit_clerk.get(CREATE).context["form"]
    assert {c.business_unit for c in unchosen.fields["customer"].queryset} == {eu1, us1}


def test_a_customer_or_item_of_another_unit_is_refused_on_its_field(two_unit_clerk, world):
    before = snapshot()
    data = order_post(
        world,
        [("SRV-DL380-EU", "1", "")],
        customer=world.customers["C-2001"].pk,
        warehouse=world.warehouses["E1"].pk,
    )
    response = two_unit_clerk.post(CREATE, data)
    form, [line] = response.context["form"], response.context["lines"].forms
    assert form.errors["customer"] == [
        "Choose one of US1's customers; this one belongs to another business unit."
    ]
    assert "belongs to another business unit" in form.errors["warehouse"][0]
    assert "belongs to another business unit" in line.errors["item"][0]
    assert snapshot() == before


def test_add_line_and_the_price_follow_the_chosen_unit(two_unit_clerk, world):
    eu1 = world.units["EU1"]
    new = two_unit_clerk.get(
        reverse("orders:line_new"), {"lines-TOTAL_FORMS": "1", "business_unit": eu1.pk}
    )
    assert world.items["SRV-DL380-G11"].number not in new.content.decode()
    assert world.items["SRV-DL380-EU"].number in new.content.decode()
    us_item = world.items["SRV-DL380-G11"]
    price = two_unit_clerk.get(
        reverse("orders:line_price"),
        {"line": "lines-0", "lines-0-item": us_item.pk, "business_unit": eu1.pk},
    )
    assert "48500" not in price.content.decode()
