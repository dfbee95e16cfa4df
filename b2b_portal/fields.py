"""Quantity and money fields, and rounding, stated once for the whole project.

Quantities carry 3 decimals, money 2; amounts round half-up (the convention of the ERPs
our users come from), never banker's rounding.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MinValueValidator
from django.db import models

ZERO = Decimal("0")
MONEY_PLACES = Decimal("0.01")
QUANTITY_PLACES = Decimal("0.001")


def round_money(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)


def format_quantity(quantity: Decimal) -> str:
    """A quantity as a person writes it in a sentence: 2, 2.5 (not 2.000)."""
    return f"{Decimal(quantity).normalize():f}"


class QuantityField(models.DecimalField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 3)
        kwargs.setdefault("default", ZERO)
        kwargs.setdefault("validators", [MinValueValidator(ZERO)])
        super().__init__(*args, **kwargs)


class MoneyField(models.DecimalField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("default", ZERO)
        super().__init__(*args, **kwargs)


class CurrencyField(models.CharField):
    """ISO 4217 code; one currency per document."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("default", "USD")
        super().__init__(*args, **kwargs)
