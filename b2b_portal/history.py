"""A document's history on its page: the header's rows and its lines', newest first.

Each row is a django-simple-history record with the user and the reason (what changed); a
line's rows name it by its line number, a removed line's too (its history outlives it).
The reason names values as the pages show them (``history_value``): "quantity 2 -> 5".
"""

from dataclasses import dataclass

from .fields import MoneyField, QuantityField, format_money, format_quantity


@dataclass
class HistoryRow:
    record: object
    what: str


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


def document_history(header: str, header_records, line_records) -> list[HistoryRow]:
    """Two queries whatever the number of lines and changes."""
    rows = [HistoryRow(record, header) for record in header_records.select_related("history_user")]
    rows += [
        HistoryRow(record, f"Line {record.line_number}")
        for record in line_records.select_related("history_user")
    ]
    return sorted(rows, key=lambda row: row.record.history_date, reverse=True)
