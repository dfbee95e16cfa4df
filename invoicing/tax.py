"""Sales and purchase tax: the rate of a line and the tax lines of a document.

One rule for the invoice pages, the prints and the PDFs. An invoice line keeps the rate in
force when it was made (``tax_rate``), so a later change of master data never changes an
issued invoice; a credit memo line credits at its invoice line's rate; a purchase order,
not a tax document, shows the rate in force today (docs/decisions.md).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum, Value
from django.db.models.functions import Coalesce

from b2b_portal.fields import ZERO, round_money
from b2b_portal.queries import line_amount
from catalog.models import BusinessUnit, Item, TaxRateField


def tax_rate(item_rate, unit_rate) -> Coalesce:
    """The item's own rate where it has one, else its business unit's (percent). A query
    expression over the two rates (expressions, or paths to them), so that AutoInvoice
    prices a whole chunk's lines in the database by the rule ``tax_rates`` reads."""
    return Coalesce(item_rate, unit_rate, output_field=TaxRateField())


def tax_rates(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Decimal]:
    """The rate of each (business unit id, item id) pair, in two queries: the units' rates,
    then the items' with a column of ``tax_rate`` for each unit."""
    pairs = set(pairs)
    units = dict(
        BusinessUnit.objects.filter(pk__in={unit for unit, _ in pairs}).values_list(
            "pk", "tax_rate"
        )
    )
    rates = Item.objects.filter(pk__in={item for _, item in pairs}).values_list(
        "pk", *(tax_rate("tax_rate", Value(rate)) for rate in units.values())
    )
    by_item = {item: dict(zip(units, of_units, strict=True)) for item, *of_units in rates}
    return {(unit, item): by_item[item][unit] for unit, item in pairs}


@dataclass(frozen=True)
class TaxLine:
    rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class TaxSummary:
    """A document's amounts: the lines' total, one tax line per rate, and the total due."""

    subtotal: Decimal
    lines: tuple[TaxLine, ...]

    @property
    def tax_amount(self) -> Decimal:
        return sum((line.tax_amount for line in self.lines), start=ZERO)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax_amount


def tax_summary(amounts: Iterable[tuple[Decimal, Decimal]]) -> TaxSummary:
    """From (amount, rate) pairs: the tax of each rate, rounded once on the rate's total
    (as an invoice prints it), so the printed lines add up to the printed total."""
    by_rate = defaultdict(lambda: ZERO)
    for amount, rate in amounts:
        by_rate[rate] += amount
    lines = tuple(
        TaxLine(rate=rate, taxable_amount=base, tax_amount=round_money(base * rate / 100))
        for rate, base in sorted(by_rate.items())
    )
    return TaxSummary(subtotal=sum(by_rate.values(), start=ZERO), lines=lines)


def tax_of_lines(lines) -> TaxSummary:
    """``tax_summary`` of invoice lines (a queryset with ``tax_rate``), their amounts summed
    per rate in one query: the same figures as from every line, without loading them."""
    per_rate = lines.order_by().values("tax_rate").annotate(base=Sum(line_amount()))
    return tax_summary((row["base"], row["tax_rate"]) for row in per_rate)


def tax_at_current_rates(*, business_unit_id: int, lines) -> TaxSummary:
    """The tax of priced lines (``amount``, ``item_id``) at the rates in force today: a
    document that fixes no rate of its own (a purchase order)."""
    lines = list(lines)
    rates = tax_rates((business_unit_id, line.item_id) for line in lines)
    return tax_summary((line.amount, rates[business_unit_id, line.item_id]) for line in lines)
