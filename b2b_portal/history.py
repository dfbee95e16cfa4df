"""A document's history on its page: the header's rows and its lines', newest first.

Each row is a django-simple-history record with the user and the reason (what changed); a
line's rows name it by its line number, a removed line's too (its history outlives it).
"""

from dataclasses import dataclass


@dataclass
class HistoryRow:
    record: object
    what: str


def document_history(header: str, header_records, line_records) -> list[HistoryRow]:
    """Two queries whatever the number of lines and changes."""
    rows = [HistoryRow(record, header) for record in header_records.select_related("history_user")]
    rows += [
        HistoryRow(record, f"Line {record.line_number}")
        for record in line_records.select_related("history_user")
    ]
    return sorted(rows, key=lambda row: row.record.history_date, reverse=True)
