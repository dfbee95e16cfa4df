"""Limits that make sense (docs/decisions.md): a line amount within ORDER_LINE_AMOUNT_LIMIT,
an order total a money column holds, and a price of 0 only when confirmed as No charge,
which the order page then shows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.exceptions import InvalidOrderLine
from orders.models import SalesOrder
from orders.services import (
    LINE_AMOUNT_OVER_LIMIT,
    ORDER_TOTAL_TOO_LARGE,
    ZERO_PRICE_UNCONFIRMED,
    OrderLineInput,
    sales_order_create,
)
from tests.helpers import cancel, change, snapshot
from tests.web.orders.support import order_post

pytestmark = pytest.mark.django_db

CREATE = reverse("orders:create")


def create(world, *lines):
    """An order of ``OrderLineInput`` lines for C-1001 in US1, as the clerk."""
    return sales_order_create(
        actor=world.users["clerk"],
        business_unit=world.units["US1"],
        customer=world.customers["C-1001"],
        warehouse=world.warehouses["M1"],
        requested_date=timezone.localdate() + timedelta(days=30),
        lines=list(lines),
    )


def line(world, quantity, price, **kwargs):
    return OrderLineInput(
        item=world.items["SRV-DL380-G11"],
        quantity=Decimal(quantity),
        unit_selling_price=Decimal(price),
        **kwargs,
    )


def test_99_999_999_times_99_999_999_is_refused_not_booked(world):
    before = snapshot()
    with pytest.raises(InvalidOrderLine) as refused:
        create(world, line(world, "99999999", "99999999"))
    assert refused.value.message == LINE_AMOUNT_OVER_LIMIT.format(
        amount="9,999,999,800,000,001.00 USD", limit="100,000,000.00 USD"
    )
    assert snapshot() == before


def test_the_limit_per_line_is_a_setting(world, settings):
    settings.ORDER_LINE_AMOUNT_LIMIT = Decimal("100000")
    with pytest.raises(InvalidOrderLine, match=r"145,500\.00 USD is more than the 100,000\.00"):
        create(world, line(world, "3", "48500"))
    assert create(world, line(world, "2", "48500")).total_amount == Decimal("97000.00")


def test_an_order_total_beyond_a_money_column_is_refused(world, settings):
    settings.ORDER_LINE_AMOUNT_LIMIT = Decimal("999999999999.99")
    big = line(world, "10", "99999999999.99")  # 999,999,999,999.90, one line fits
    with pytest.raises(InvalidOrderLine) as refused:
        create(world, big, big)
    assert refused.value.message == ORDER_TOTAL_TOO_LARGE.format(
        total="1,999,999,999,999.80 USD", limit="999,999,999,999.99 USD"
    )
    assert not SalesOrder.objects.exists()


def test_a_price_of_0_needs_no_charge(world):
    with pytest.raises(InvalidOrderLine) as refused:
        create(world, line(world, "1", "0"))
    assert refused.value.message == ZERO_PRICE_UNCONFIRMED.format(item="SRV-DL380-G11")
    order = create(world, line(world, "1", "0", no_charge=True))
    assert order.lines.get().unit_selling_price == Decimal("0")


@pytest.fixture
def clerk(client, users):
    client.force_login(users["clerk"])
    return client


def test_the_page_refuses_an_amount_over_the_limit(clerk, world):
    before = snapshot()
    response = clerk.post(CREATE, order_post(world, [("SRV-DL380-G11", "99999999", "99999999")]))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        LINE_AMOUNT_OVER_LIMIT.format(
            amount="9,999,999,800,000,001.00 USD", limit="100,000,000.00 USD"
        )
    ]
    assert snapshot() == before


def test_the_page_asks_to_confirm_a_price_of_0_and_the_order_shows_no_charge(clerk, world):
    refused = clerk.post(CREATE, order_post(world, [("SRV-DL380-G11", "1", "0")]))
    [line_form] = refused.context["lines"].forms
    assert line_form.errors["unit_selling_price"] == [
        ZERO_PRICE_UNCONFIRMED.format(item="SRV-DL380-G11")
    ]
    assert not SalesOrder.objects.exists()

    data = order_post(world, [("SRV-DL380-G11", "1", "0")])
    data["lines-0-no_charge"] = "on"
    saved = clerk.post(CREATE, data)
    order = SalesOrder.objects.get()
    assert saved["Location"] == order.get_absolute_url()
    page = clerk.get(saved["Location"]).content.decode()
    assert 'data-testid="no-charge">No charge<' in page


def test_a_quantity_change_keeps_within_the_limit_per_line(world, settings):
    settings.ORDER_LINE_AMOUNT_LIMIT = Decimal("100000")
    order_line = create(world, line(world, "2", "48500")).lines.get()
    before = snapshot()
    with pytest.raises(InvalidOrderLine) as refused:
        change(world, order_line, "3")
    assert refused.value.message == LINE_AMOUNT_OVER_LIMIT.format(
        amount="145,500.00 USD", limit="100,000.00 USD"
    )
    assert snapshot() == before


def test_a_quantity_change_keeps_the_order_total_within_a_document(world, settings):
    settings.ORDER_LINE_AMOUNT_LIMIT = Decimal("999999999999.99")
    half = line(world, "5", "99999999999.99")  # two of them: 999,999,999,999.90
    order = create(world, half, half)
    before = snapshot()
    with pytest.raises(InvalidOrderLine) as refused:
        change(world, order.lines.first(), "6")
    assert refused.value.message == ORDER_TOTAL_TOO_LARGE.format(
        total="1,099,999,999,999.89 USD", limit="999,999,999,999.99 USD"
    )
    assert snapshot() == before
    cancelled = order.lines.last()
    cancel(world, cancelled)
    assert change(world, order.lines.first(), "6").quantity == Decimal("6")
