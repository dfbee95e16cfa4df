"""The Exceptions work area: every open exception in the user's business units.

Five sources: exceptions raised by changes (``BusinessException``), supply orders in
Exception (no usable sourcing rule), open AP invoice holds, pegged PO lines past their
promised date, and pegged PO lines whose supply is expected after the sales order line's
scheduled ship date (jeopardy, docs/promise-dates.md). Each entry names its owner role,
its age and the actions that resolve it; the source document's own action records who
and why.

The five are one SQL ``UNION ALL`` of (source, id, kind, owner, opened, days late): the
pages filter, count, sort and page it in the database and load the documents of the shown
rows only (one query per source), so their cost does not grow with the open exceptions.
The sources' columns are the same for every user: each source's annotated rows are built
once per process (``_unscoped``) and only scoped per request.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache
from itertools import chain

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import Cast, Collate, Concat, LPad
from django.utils import timezone

from catalog.units import scope_to_unit_ids, unit_ids_of
from invoicing.models import APInvoice, APInvoiceHold, HoldReason
from orders.models import SalesOrder
from procurement.models import (
    POLineStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    SupplyOrder,
    SupplyStatus,
)

from .models import OWNER_ROLE, BusinessException, ExceptionKind, ExceptionStatus

BUYER, AP_ACCOUNTANT = "Buyer", "AP Accountant"
LATE_SUPPLY = "Late supply"
SUPPLY_AFTER_SHIP_DATE = "Supply after the ship date"
SUPPLY_CANCELLED = "Supply cancelled"
NO_SOURCING_RULE = "No usable sourcing rule"
HOLD_KIND = "AP hold: {}"


@dataclass
class Entry:
    kind: str
    owner_role: str
    opened_at: datetime
    message: str
    document: object
    sales_order_line: object = None
    purchase_order_line: object = None
    actions: list[str] = field(default_factory=list)
    ap_hold: object = None  # an AP hold's entry: the hold its actions resolve
    days_late: int = 0  # the order line's, when its supply comes after its ship date

    @property
    def age(self):
        return timezone.now() - self.opened_at


# Sorts of the work area: the columns of ``open_exception_rows`` they order by; the source
# and id break ties, so that pages never repeat or skip an entry.
SORTS = {
    "opened": ("entry_opened",),
    "-opened": ("-entry_opened",),
    "kind": ("entry_kind", "entry_opened"),
    "owner": ("entry_owner", "entry_opened"),
    "-days_late": ("-entry_days_late", "entry_opened"),
}
ROW_COLUMNS = ("source", "row_id", "entry_kind", "entry_owner", "entry_opened", "entry_days_late")
# The sources without an order line late for its customer.
NOT_LATE = {"entry_days_late": Value(0)}


def open_exceptions(user) -> list[Entry]:
    """Every open exception the user may see, oldest first."""
    return entries_of(exception_rows(user))


class CompiledRows:
    """Rows of ``ROW_COLUMNS`` read by SQL compiled once (``_compiled_rows``): their count,
    a slice (LIMIT and OFFSET, as a ``Paginator`` asks) or all of them."""

    def __init__(self, sql: str | None, params: tuple = ()):
        self.sql, self.params = sql, params  # no SQL: no unit, no row

    def count(self) -> int:
        return self._read(f"SELECT COUNT(*) FROM ({self.sql}) AS rows")[0][0] if self.sql else 0

    def __getitem__(self, rows: slice) -> list[tuple]:
        start = rows.start or 0
        if not self.sql or rows.stop <= start:
            return []
        return self._read(f"{self.sql} LIMIT {rows.stop - start:d} OFFSET {start:d}")

    def __iter__(self):
        return iter(self._read(self.sql) if self.sql else [])

    def _read(self, sql: str) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, self.params)
            return cursor.fetchall()


def exception_rows(user, *, sort="opened", owner="", kind="", text="", owners=None):
    """``open_exception_rows`` in the order of ``sort``, as ``CompiledRows``: the five
    sources' union was built and compiled on every request, most of the dashboard's and the
    work area's Python time; it is compiled once per process for each set of units and
    filters."""
    owners = None if owners is None else tuple(sorted(owners))
    return CompiledRows(*_compiled_rows(unit_ids_of(user), sort, owner, kind, text, owners))


@lru_cache(maxsize=512)
def _compiled_rows(unit_ids, sort, owner, kind, text, owners) -> tuple[str | None, tuple]:
    rows = open_exception_rows(unit_ids, owner=owner, kind=kind, text=text, owners=owners)
    try:
        return ordered(rows, sort).query.sql_with_params()
    except EmptyResultSet:  # no unit at all
        return None, ()


def open_exception_rows(unit_ids, *, owner="", kind="", text="", owners=None):
    """The open exceptions of the units ``unit_ids`` (``unit_ids_of``: None for every unit)
    as rows of ``ROW_COLUMNS`` (unordered), narrowed to an owner role, a kind, a text in the
    document, the order line or the message, and to the owner roles ``owners`` (None:
    all)."""
    parts = []
    for index in range(len(SOURCES)):
        rows = _annotated(index, unit_ids)
        if owner:
            rows = rows.filter(entry_owner=owner)
        if owners is not None:
            rows = rows.filter(entry_owner__in=owners)
        if kind:
            rows = rows.filter(entry_kind=kind)
        if text:
            rows = rows.filter(
                Q(document_text__icontains=text)
                | Q(line_text__icontains=text)
                | Q(message_text__icontains=text)
            )
        parts.append(rows.order_by().values_list(*ROW_COLUMNS))
    return parts[0].union(*parts[1:], all=True)


def ordered(rows, sort: str):
    """``open_exception_rows`` in the order of one of ``SORTS``."""
    return rows.order_by(*SORTS[sort], "source", "row_id")


def owners_and_kinds(user) -> tuple[int, set[str], set[str]]:
    """(number of open exceptions, their owner roles, their kinds) for the work area's
    filters, in one query compiled once per set of units."""
    groups = list(CompiledRows(*_compiled_groups(unit_ids_of(user))))
    return (
        sum(entries for _owner, _kind, entries in groups),
        {owner for owner, _kind, _entries in groups},
        {kind for _owner, kind, _entries in groups},
    )


@lru_cache(maxsize=64)
def _compiled_groups(unit_ids) -> tuple[str | None, tuple]:
    parts = [
        _annotated(index, unit_ids)
        .values_list("entry_owner", "entry_kind")
        .annotate(entries=Count("pk"))
        for index in range(len(SOURCES))
    ]
    try:
        return parts[0].union(*parts[1:], all=True).query.sql_with_params()
    except EmptyResultSet:
        return None, ()


def entries_of(rows) -> list[Entry]:
    """The entries of these rows (a page of ``open_exception_rows``), in their order: one
    query per source the rows come from (at most five), whatever the rows; none for no row.
    A source with no row on the page is not asked: building and compiling its query was
    most of the dashboard's Python time."""
    rows = list(rows)
    if not rows:
        return []
    documents = {}
    for index, source in enumerate(SOURCES):
        ids = [row_id for number, row_id, *_ in rows if number == index]
        if not ids:
            continue
        chosen = source.rows().order_by().filter(pk__in=ids)
        documents.update({(index, document.pk): document for document in chosen})
    return [
        SOURCES[number].entry(documents[number, row_id])
        for number, row_id, *_ in rows
        if (number, row_id) in documents
    ]


# The sources ------------------------------------------------------------------------


def number_sql(prefix: str, path: str) -> Concat:
    """A document number (``PO-000123``, ``BusinessDocument.number``) in SQL, from the
    primary key at ``path``."""
    digits = Cast(path, models.CharField())
    return Concat(
        Value(f"{prefix}-"),
        Case(When(**{f"{path}__gte": 10**6}, then=digits), default=LPad(digits, 6, Value("0"))),
    )


def order_line_sql(path: str) -> Case:
    """``str(sales_order_line)`` in SQL (``SO-000123 line 1``) from the line at ``path``;
    NULL without a line."""
    return Case(
        When(**{f"{path}__isnull": True}, then=Value(None)),
        default=Concat(
            number_sql(SalesOrder.number_prefix, f"{path}__order_id"),
            Value(" line "),
            Cast(f"{path}__line_number", models.CharField()),
        ),
        output_field=models.CharField(),
    )


class _Labels(models.Func):
    """``CASE field WHEN value THEN label ... END``: the field is compiled once, where
    ``Case(When(field=value))`` compiles a lookup per value, on every request."""

    output_field = models.CharField()

    def __init__(self, field_name: str, labels):
        self.labels = tuple(labels)
        super().__init__(F(field_name))

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        whens = " WHEN %s THEN %s" * len(self.labels)
        return f"CASE {sql}{whens} END", (*params, *chain.from_iterable(self.labels))


def label_sql(field_name: str, labels) -> Collate:
    """A label chosen by a field's value, compared and sorted byte-wise like Python's."""
    return bytewise(_Labels(field_name, labels))


def bytewise(expression) -> Collate:
    """``expression`` compared and sorted byte by byte, alike in every source of the union:
    PostgreSQL's collation "C", SQLite's BINARY (the laptop default has no "C")."""
    return Collate(expression, "BINARY" if connection.vendor == "sqlite" else "C")


class LocalMidnight(models.Func):
    """The start of a date in the current time zone (``timezone.make_aware`` of midnight).
    SQLite, the laptop default, has no time zones: there the day starts at midnight UTC,
    which only moves a late line's place among entries opened the same day."""

    output_field = models.DateTimeField()

    def __init__(self, date_field: str):
        super().__init__(F(date_field), Value(str(timezone.get_current_timezone())))

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="(%(expressions)s)",
            arg_joiner="::timestamp AT TIME ZONE ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        date, _zone = self.source_expressions
        sql, params = compiler.compile(date)
        return f"({sql} || ' 00:00:00')", params


@dataclass(frozen=True)
class Source:
    """One kind of open exception: its rows, the path to their business unit, its columns
    in SQL, its entry from a row."""

    rows: Callable  # () -> the open rows of every unit, with what the entry reads
    unit_path: str
    columns: Callable  # () -> annotations: entry_kind, entry_owner, entry_opened, *_text
    entry: Callable  # (row) -> Entry


@cache
def _unscoped(index: int):
    """Source ``index``'s open rows with the work area's columns, unordered. Resolving the
    columns' Case/When trees cost milliseconds a request; they are the same for every user
    (the time zone is the settings' one), so they are resolved once per process."""
    source = SOURCES[index]
    return (
        source.rows().annotate(source=Value(index), row_id=F("pk"), **source.columns()).order_by()
    )


def _annotated(index: int, unit_ids):
    """``_unscoped`` rows of the units ``unit_ids`` (None: every unit)."""
    return scope_to_unit_ids(_unscoped(index), unit_ids, SOURCES[index].unit_path)


def _stored_rows():
    """Decisions a change left to a person (``BusinessException``)."""
    return BusinessException.objects.filter(status=ExceptionStatus.OPEN).select_related(
        "sales_order_line__order", "purchase_order_line__purchase_order"
    )


def _stored_columns() -> dict:
    return {
        **NOT_LATE,
        "entry_kind": label_sql("kind", ExceptionKind.choices),
        "entry_owner": label_sql("kind", OWNER_ROLE.items()),
        "entry_opened": F("created_at"),
        "document_text": number_sql(BusinessException.number_prefix, "pk"),
        "line_text": order_line_sql("sales_order_line"),
        "message_text": F("message"),
    }


def _stored_entry(exception) -> Entry:
    return Entry(
        kind=exception.get_kind_display(),
        owner_role=exception.owner_role,
        opened_at=exception.created_at,
        message=exception.message,
        document=exception,
        sales_order_line=exception.sales_order_line,
        purchase_order_line=exception.purchase_order_line,
        actions=(
            ["cancel_with_supplier", "keep_as_stock"]
            if exception.kind == ExceptionKind.SUPPLIER_CANCELLATION
            else ["acknowledge"]
        ),
    )


def _supply_rows():
    """Supply orders in Exception: no usable sourcing rule for the item, or their PO line
    or requisition line was cancelled and the buyer re-sources them or cancels the demand
    (``awaits_buyer``)."""
    return SupplyOrder.objects.filter(status=SupplyStatus.EXCEPTION).select_related(
        "sales_order_line__order"
    )


def _supply_columns() -> dict:
    return {
        **NOT_LATE,
        "entry_kind": label_sql(
            "awaits_buyer", [(True, SUPPLY_CANCELLED), (False, NO_SOURCING_RULE)]
        ),
        "entry_owner": bytewise(Value(BUYER)),
        "entry_opened": F("updated_at"),
        "document_text": number_sql(SupplyOrder.number_prefix, "pk"),
        "line_text": order_line_sql("sales_order_line"),
        "message_text": F("exception_reason"),
    }


def _supply_entry(supply_order) -> Entry:
    return Entry(
        kind=SUPPLY_CANCELLED if supply_order.awaits_buyer else NO_SOURCING_RULE,
        owner_role=BUYER,
        opened_at=supply_order.updated_at,
        message=supply_order.exception_reason,
        document=supply_order,
        sales_order_line=supply_order.sales_order_line,
        actions=["resource", "cancel_demand"] if supply_order.awaits_buyer else ["cancel_line"],
    )


def _hold_rows():
    """AP invoice holds not released yet."""
    return APInvoiceHold.objects.filter(released_at__isnull=True).select_related("invoice")


def _hold_columns() -> dict:
    return {
        **NOT_LATE,
        "entry_kind": label_sql(
            "reason", [(value, HOLD_KIND.format(label)) for value, label in HoldReason.choices]
        ),
        "entry_owner": bytewise(Value(AP_ACCOUNTANT)),
        "entry_opened": F("created_at"),
        "document_text": number_sql(APInvoice.number_prefix, "invoice_id"),
        "line_text": Value(None, output_field=models.CharField()),
        "message_text": F("message"),
    }


def _hold_entry(hold) -> Entry:
    return Entry(
        kind=HOLD_KIND.format(hold.get_reason_display()),
        owner_role=AP_ACCOUNTANT,
        opened_at=hold.created_at,
        message=hold.message,
        document=hold.invoice,
        actions=_hold_actions(hold),
        ap_hold=hold,
    )


def _hold_actions(hold) -> list[str]:
    """No hold without a way out: a quantity hold clears only by receipt, which may never
    come, so it is adjusted to what was received; any held invoice may be cancelled."""
    if hold.can_be_released_by_hand():
        return ["release_hold", "cancel_invoice"]
    return ["adjust_to_received", "cancel_invoice"]


def _late_rows():
    """Pegged PO lines past their promised date (flagged by the Late Supply process)."""
    return PurchaseOrderLine.objects.filter(
        status=POLineStatus.OPEN, late_since__isnull=False, sales_order_line__isnull=False
    ).select_related("purchase_order", "sales_order_line__order")


def _late_columns() -> dict:
    text = models.CharField()
    return {
        "entry_kind": bytewise(Value(LATE_SUPPLY)),
        "entry_owner": bytewise(Value(BUYER)),
        "entry_days_late": F("sales_order_line__days_late"),
        "entry_opened": LocalMidnight("late_since"),
        "document_text": number_sql(PurchaseOrder.number_prefix, "purchase_order_id"),
        "line_text": order_line_sql("sales_order_line"),
        # ``_late_message`` in SQL, for the search.
        "message_text": Concat(
            number_sql(PurchaseOrder.number_prefix, "purchase_order_id"),
            Value(" line "),
            Cast("line_number", text),
            Value(" was promised for "),
            Cast("promised_date", text),
            Value("; "),
            Cast(F("quantity") - F("received_quantity"), text),
            Value(" of "),
            Cast("quantity", text),
            Value(" not received."),
        ),
    }


def _late_message(po_line) -> str:
    return (
        f"{po_line} was promised for {po_line.promised_date}; "
        f"{po_line.open_quantity} of {po_line.quantity} not received."
    )


def _late_entry(po_line) -> Entry:
    return Entry(
        kind=LATE_SUPPLY,
        owner_role=BUYER,
        opened_at=timezone.make_aware(datetime.combine(po_line.late_since, datetime.min.time())),
        message=_late_message(po_line),
        document=po_line.purchase_order,
        sales_order_line=po_line.sales_order_line,
        purchase_order_line=po_line,
        actions=["close_short"] if po_line.received_quantity else [],
        days_late=po_line.sales_order_line.days_late,
    )


def _jeopardy_rows():
    """Pegged PO lines whose supply is expected after the order line's scheduled ship date
    (and not yet past their promise: those are late supply)."""
    return PurchaseOrderLine.objects.filter(
        status=POLineStatus.OPEN,
        late_since__isnull=True,
        sales_order_line__days_late__gt=0,
    ).select_related("purchase_order", "sales_order_line__order")


def _jeopardy_columns() -> dict:
    text = models.CharField()
    return {
        "entry_kind": bytewise(Value(SUPPLY_AFTER_SHIP_DATE)),
        "entry_owner": bytewise(Value(BUYER)),
        "entry_opened": F("sales_order_line__updated_at"),
        "entry_days_late": F("sales_order_line__days_late"),
        "document_text": number_sql(PurchaseOrder.number_prefix, "purchase_order_id"),
        "line_text": order_line_sql("sales_order_line"),
        # ``_jeopardy_message`` in SQL, for the search.
        "message_text": Concat(
            order_line_sql("sales_order_line"),
            Value(" ships "),
            Cast("sales_order_line__scheduled_ship_date", text),
            Value("; its supply is expected "),
            Cast("sales_order_line__days_late", text),
            Value(" days later."),
        ),
    }


def _jeopardy_message(po_line) -> str:
    line = po_line.sales_order_line
    return (
        f"{line} ships {line.scheduled_ship_date}; its supply is expected "
        f"{line.days_late} days later."
    )


def _jeopardy_entry(po_line) -> Entry:
    line = po_line.sales_order_line
    return Entry(
        kind=SUPPLY_AFTER_SHIP_DATE,
        owner_role=BUYER,
        opened_at=line.updated_at,
        message=_jeopardy_message(po_line),
        document=po_line.purchase_order,
        sales_order_line=line,
        purchase_order_line=po_line,
        actions=["re_promise"],
        days_late=line.days_late,
    )


SOURCES = [
    Source(_stored_rows, "business_unit", _stored_columns, _stored_entry),
    Source(_supply_rows, "business_unit", _supply_columns, _supply_entry),
    Source(_hold_rows, "invoice__business_unit", _hold_columns, _hold_entry),
    Source(_late_rows, "purchase_order__business_unit", _late_columns, _late_entry),
    Source(_jeopardy_rows, "purchase_order__business_unit", _jeopardy_columns, _jeopardy_entry),
]
