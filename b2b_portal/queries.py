"""SQL pieces that list pages and selectors share: line amounts, per-document aggregates
of lines, "has a line that..." filters and a document-number match.

Plain query helpers with no forms or views, so that any selector may use them.
"""

from django.db import connection
from django.db.models import (
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Round

AMOUNT = DecimalField(max_digits=28, decimal_places=5)


class _DaysFrom(Func):
    """A date moved by a number of days, both expressions: ``date ± integer`` in
    PostgreSQL; SQLite (the laptop's database) has its own date function."""

    arity = 2
    output_field = DateField()
    template = "(%(expressions)s)"
    sign = ""

    def as_sql(self, compiler, connection, **extra_context):
        extra_context.setdefault("arg_joiner", f" {self.sign} ")
        return super().as_sql(compiler, connection, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="date(%(expressions)s || ' days')",
            arg_joiner=f", '{self.sign}' || ",
            **extra_context,
        )


class DaysBefore(_DaysFrom):
    sign = "-"


class DaysAfter(_DaysFrom):
    sign = "+"


def number_match(number: int | None, field: str = "pk") -> Q:
    """``Q(field=number)`` for a number read by ``b2b_portal.numbers``; an empty Q when
    the text was no number, which adds nothing to the other matches it is OR-ed with."""
    return Q() if number is None else Q(**{field: number})


def line_amount(price: str = "unit_price"):
    """A line's amount in SQL, rounded like ``round_money`` (PostgreSQL rounds numeric
    half away from zero, which is half-up for the positive amounts of a document);
    ``price``: the line's price field (a sales order line's is ``unit_selling_price``)."""
    product = ExpressionWrapper(F("quantity") * F(price), AMOUNT)
    return Round(product, 2, output_field=AMOUNT)


def lines_aggregate(line_model, aggregate, *, document: str, condition=None):
    """An aggregate of each listed document's lines (``document``: the lines' foreign key
    to it), as a correlated subquery.

    Rather than a join and GROUP BY over every document: the subquery runs only for the
    page's rows (unless the page is sorted by it) and the paginator's COUNT stays plain.
    """
    lines = line_model.objects.filter(condition or Q(), **{document: OuterRef("pk")})
    grouped = lines.order_by().values(document).annotate(value=aggregate)
    return Subquery(grouped.values("value"))


def with_a_line(documents, line_model, condition: Q, *, document: str):
    """The documents with at least one line matching ``condition``, through EXISTS: a join
    would repeat a document once per matching line."""
    lines = line_model.objects.filter(condition, **{document: OuterRef("pk")})
    return documents.filter(Exists(lines))


def any_of(ids):
    """``ids`` as the right-hand side of a batch's ``__in`` lookup (``pk__in=any_of(pks)``):
    on PostgreSQL one parameter, an array literal, ``IN (SELECT unnest(...))``, where a list
    is a placeholder per id that Django compiles and psycopg quotes one by one (2.5 ms of
    Python for 500 ids against 0.8 ms); the ids themselves elsewhere. Not inside a
    correlated subquery: PostgreSQL would unnest the array again for each outer row."""
    if connection.vendor != "postgresql":
        return list(ids)
    literal = "{" + ",".join(str(int(pk)) for pk in ids) + "}"
    return RawSQL("SELECT unnest(%s::bigint[])", [literal])
