"""The template filters of the formatting rule (``b2b_portal.fields``), built into every
template (settings ``TEMPLATES["OPTIONS"]["builtins"]``):

    {{ order.total_amount|money:order.currency_code }}   307,000.00 USD
    {{ line.unit_selling_price|money }}                  48,500.00 (the column names the currency)
    {{ line.quantity|quantity:item.unit_of_measure }}    2 Ea
    {{ line.quantity|quantity }}                         2.5

An empty value (no invoice lines yet) shows as a dash.
"""

from django import template

from b2b_portal.fields import format_money, format_quantity

register = template.Library()
EMPTY = "—"


@register.filter
def money(amount, currency_code: str = "") -> str:
    return EMPTY if amount is None or amount == "" else format_money(amount, currency_code)


@register.filter
def quantity(value, unit_of_measure: str = "") -> str:
    return EMPTY if value is None or value == "" else format_quantity(value, unit_of_measure)
