"""Quantity and money fields, and rounding, stated once for the whole project.

Quantities carry 3 decimals, money 2; amounts round half-up (the convention of the ERPs
our users come from), never banker's rounding. A quantity typed in a form is written with
the ASCII digits 0-9 only (``QuantityFormField``, ``MoneyFormField``).
"""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

ZERO = Decimal("0")
MONEY_PLACES = Decimal("0.01")
QUANTITY_PLACES = Decimal("0.001")


def round_money(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)


def format_quantity(quantity: Decimal, unit_of_measure: str = "") -> str:
    """A quantity as a person writes it: 2, 2.5 (not 2.000), then its unit when given
    ("2 Ea"). The one rule of every page, print and message (docs/decisions.md)."""
    text = f"{Decimal(quantity).normalize():f}"
    return f"{text} {unit_of_measure}" if unit_of_measure else text


def format_money(amount: Decimal, currency_code: str = "") -> str:
    """An amount grouped by thousands with 2 decimals, then its currency code when given
    ("307,000.00 USD"). The one rule of every page, print and message."""
    text = f"{round_money(amount):,.2f}"
    return f"{text} {currency_code}" if currency_code else text


QUANTITY_ASCII_DIGITS_ONLY = "Write the quantity with the digits 0-9 and a decimal point only."
QUANTITY_TOO_LARGE = "Quantity is too large."
QUANTITY_DECIMAL_PLACES = "Quantity can have at most 3 decimal places."
MONEY_ASCII_DIGITS_ONLY = "Write the amount with the digits 0-9 and a decimal point only."


class AsciiDecimalFormField(forms.DecimalField):
    """A decimal typed with the ASCII digits 0-9 only.

    Python's ``Decimal`` reads any Unicode digit ("٣" is 3), and so does Django's
    ``DecimalField``; a number that looks like one thing on screen and is stored as
    another has no place on a business document, so anything but ASCII is refused.
    """

    def to_python(self, value):
        if isinstance(value, str) and not value.isascii():
            raise ValidationError(self.error_messages["not_ascii"], code="not_ascii")
        return super().to_python(value)


class QuantityFormField(AsciiDecimalFormField):
    """The form field of every quantity (pages and admin)."""

    default_error_messages = {
        "not_ascii": QUANTITY_ASCII_DIGITS_ONLY,
        "max_digits": QUANTITY_TOO_LARGE,
        "max_whole_digits": QUANTITY_TOO_LARGE,
        "max_decimal_places": QUANTITY_DECIMAL_PLACES,
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 3)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        """A quantity put in its input as the pages show it: 2, not 2.000 (Ship now)."""
        if isinstance(value, Decimal):
            return format_quantity(value)
        return super().prepare_value(value)


class MoneyFormField(AsciiDecimalFormField):
    """The form field of every price and amount (pages and admin)."""

    default_error_messages = {"not_ascii": MONEY_ASCII_DIGITS_ONLY}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)


class QuantityField(models.DecimalField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 3)
        kwargs.setdefault("default", ZERO)
        kwargs.setdefault("validators", [MinValueValidator(ZERO)])
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": QuantityFormField, **kwargs})


class MoneyField(models.DecimalField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("default", ZERO)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MoneyFormField, **kwargs})


class CurrencyField(models.CharField):
    """ISO 4217 code; one currency per document."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("default", "USD")
        super().__init__(*args, **kwargs)
