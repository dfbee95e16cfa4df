"""One formatting rule for money and quantities (docs/decisions.md): money grouped with two
decimals and its currency code, quantities trimmed with their unit of measure, on every
page and print through the ``money`` and ``quantity`` filters."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse

from b2b_portal.errors import ValidationRefused
from b2b_portal.fields import format_money, format_quantity
from invoicing.models import ARInvoice
from invoicing.services import autoinvoice_import
from orders.editing import sales_order_line_update
from procurement.services import orders_progress
from tests.helpers import change, place_order, receive, release, ship

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (Decimal("307000"), "USD", "307,000.00 USD"),
        (Decimal("517400"), "", "517,400.00"),
        (Decimal("0"), "EUR", "0.00 EUR"),
        (Decimal("1234.005"), "", "1,234.01"),  # half-up, as the ERPs our users come from
        (Decimal("-48500.5"), "USD", "-48,500.50 USD"),
        (Decimal("999999999999.99"), "", "999,999,999,999.99"),
    ],
)
def test_money_is_grouped_with_two_decimals_and_its_currency(amount, currency, text):
    assert format_money(amount, currency) == text
    rendered = Template("{{ amount|money:currency }}").render(
        Context({"amount": amount, "currency": currency})
    )
    assert rendered == text


@pytest.mark.parametrize(
    ("quantity", "unit", "text"),
    [
        (Decimal("2.000"), "Ea", "2 Ea"),
        (Decimal("2.500"), "", "2.5"),
        (Decimal("10.125"), "M", "10.125 M"),
        (Decimal("100"), "", "100"),  # not 1E+2
        (Decimal("0.000"), "Ea", "0 Ea"),
    ],
)
def test_a_quantity_is_trimmed_and_carries_its_unit(quantity, unit, text):
    assert format_quantity(quantity, unit) == text
    rendered = Template("{{ quantity|quantity:unit }}").render(
        Context({"quantity": quantity, "unit": unit})
    )
    assert rendered == text


def test_an_empty_value_is_a_dash_not_none():
    template = Template("{{ none|money:'USD' }} {{ none|quantity }}")
    rendered = template.render(Context({"none": None}))
    assert rendered == "— —"


# An amount or a quantity formatted by Django's own filters: a second rule.
OWN_WAY = re.compile(r"(amount|price|total|quantity|cost)[\w.]*\|(floatformat|intcomma)")


def test_no_template_formats_money_or_a_quantity_its_own_way():
    own_ways = [
        f"{path.relative_to(TEMPLATES)}: {match.group()}"
        for path in TEMPLATES.rglob("*.html")
        for match in OWN_WAY.finditer(path.read_text())
    ]
    assert not own_ways, own_ways


@pytest.mark.django_db
def test_the_pick_slip_shows_2_ea_not_2_000(client, world):
    order = place_order(world, ("CBL-CAT6-3M", "2"))
    orders_progress(actor=world.users["manager"], sales_order=order)
    wave = release(world)
    client.force_login(world.users["shipper"])
    page = client.get(reverse("shipping:wave_detail", args=[wave.pk])).content.decode()
    assert "2 Ea" in page and "2.000" not in page


@pytest.mark.django_db
def test_ar_and_ap_pages_show_money_as_orders_and_pos_do(client, world, drive_to_po):
    """An order of 2 servers at 48,500.00: 97,000.00 USD on the order, the AR list, the AR
    invoice and its print (once "97000.00" and "97000 USD")."""
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    receive(world, po_line, "2")
    ship(world)
    autoinvoice_import(actor=world.users["ar"])
    invoice = ARInvoice.objects.get()
    client.force_login(world.users["admin"])
    pages = {
        "order": order.get_absolute_url(),
        "AR list": reverse("invoicing:ar_list"),
        "AR invoice": invoice.get_absolute_url(),
        "AR print": reverse("invoicing:ar_print", args=[invoice.pk]),
    }
    for name, url in pages.items():
        text = client.get(url).content.decode()
        assert "97,000.00" in text, name
        assert "97000" not in text, name
    assert "97,000.00 USD" in client.get(pages["AR list"]).content.decode()


@pytest.mark.django_db
def test_the_ship_now_input_shows_2_not_2_000(client, world):
    order = place_order(world, ("CBL-CAT6-3M", "2"))
    orders_progress(actor=world.users["manager"], sales_order=order)
    [shipment] = release(world).shipments.all()
    [line] = shipment.lines.all()
    client.force_login(world.users["shipper"])
    page = client.get(shipment.get_absolute_url()).content.decode()
    [ship_now] = re.findall(rf'<input[^>]*name="ship_{line.pk}"[^>]*>', page)
    assert 'value="2"' in ship_now


@pytest.mark.django_db
def test_a_quantity_changes_messages_and_history_show_trimmed_quantities(world):
    """Once "already has quantity 2.000" and "quantity 2.000 -> 5"."""
    order = place_order(world, ("SRV-DL380-G11", "2"), book=False)
    line = order.lines.get()
    with pytest.raises(ValidationRefused) as refused:
        change(world, line, "2")
    assert refused.value.message == f"{line} already has quantity 2."
    line = sales_order_line_update(
        actor=world.users["clerk"],
        line=line,
        item=line.item,
        quantity=Decimal("5"),
        unit_selling_price=Decimal("39000"),
    )
    reason = line.history.latest().history_change_reason
    assert reason == "line changed: quantity 2 -> 5; price 48,500.00 -> 39,000.00"
