"""A document's history on its page: the header's rows and its lines', newest first.

Each row is a django-simple-history record with the user and the reason (what changed); a
line's rows name it by its line number, a removed line's too (its history outlives it).
The reason names values as the pages show them (``history_value``): "quantity 2 -> 5".
"""

from dataclasses import dataclass

from django.utils.timezone import localtime

from .document_lines import HISTORY_PARAMETER, paged
from .fields import MoneyField, QuantityField, format_money, format_quantity


@dataclass
class HistoryRow:
    record: object
    what: str


@dataclass(frozen=True, slots=True)
class HistoryCells:
    """A row of a page's Action history as it shows (When, Who, Of, Action, Status)."""

    when: str
    who: str
    what: str
    action: str
    status: str


def history_cells(rows) -> list[HistoryCells]:
    """A page of ``HistoryRow`` formatted in one pass, for a template that only prints them
    (issue 13: the lookups and filters per cell cost more than the rows' query)."""
    return [
        HistoryCells(
            when=localtime(row.record.history_date).strftime("%Y-%m-%d %H:%M:%S"),
            who=row.record.history_user.get_username() if row.record.history_user else "—",
            what=row.what,
            action=row.record.history_change_reason or row.record.get_history_type_display(),
            status=row.record.get_status_display(),
        )
        for row in rows
    ]


def history_value(obj, field: str, value) -> str:
    """A field's value in a history reason: quantities trimmed, money grouped with 2
    decimals (the pages' one rule), an empty value "(none)"."""
    if value in ("", None):
        return "(none)"
    model_field = obj._meta.get_field(field)
    if isinstance(model_field, QuantityField):
        return format_quantity(value)
    if isinstance(model_field, MoneyField):
        return format_money(value)
    return str(value)


class DocumentHistory:
    """A document's history, newest first, for ``b2b_portal.document_lines.paged``: a slice
    reads only the newest rows it needs of the header's and of the lines' history (the
    slice's end of each, two queries), never every change of every line; ``count`` is two
    counts. A 500-line order has thousands of history rows."""

    def __init__(self, header: str, header_records, line_records):
        self.header = header
        self.header_records = header_records.select_related("history_user")
        self.line_records = line_records.select_related("history_user")

    def count(self) -> int:
        return self.header_records.count() + self.line_records.count()

    def page(self, request):
        """The page of this history that ``?history=`` asks for, as the document pages
        show it."""
        return paged(request, self, parameter=HISTORY_PARAMETER)

    def __getitem__(self, rows: slice) -> list[HistoryRow]:
        newest = ("-history_date", "-history_id")
        header_rows = self.header_records.order_by(*newest)[: rows.stop]
        line_rows = self.line_records.order_by(*newest)[: rows.stop]
        merged = [HistoryRow(record, self.header) for record in header_rows]
        merged += [HistoryRow(record, f"Line {record.line_number}") for record in line_rows]
        merged.sort(key=lambda row: row.record.history_date, reverse=True)
        return merged[rows]
