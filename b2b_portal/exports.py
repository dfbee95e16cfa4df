"""A list page's rows as a CSV or Excel (XLSX) download: the page's queryset (its business
units, search and sort) and its declared columns, every page of it, streamed.

- CSV: a ``StreamingHttpResponse`` fed row by row from ``queryset.iterator()``, so neither
  the rows nor the file are ever held whole in memory.
- XLSX: openpyxl's write-only workbook, which writes each appended row to a temporary
  file; the finished workbook is a temporary file too, sent with ``FileResponse``.

Cells are values, not page text: numbers as numbers (money to the cent, quantities
trimmed as pages show them), dates as dates, the currency in a column of its own. Text
that a spreadsheet would run as a formula stays text (``=``, ``+``, ``-``, ``@``: CSV
injection).
"""

import csv
import datetime
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .fields import format_quantity, round_money

CHUNK_ROWS = 2000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL_FORMATS = {
    "money": "#,##0.00",
    datetime.datetime: "yyyy-mm-dd hh:mm",
    datetime.date: "yyyy-mm-dd",
}


@dataclass(frozen=True)
class ExportColumn:
    """One column of the file: its heading, how a row gives its value (a dotted path of
    attributes, methods called, or a function of the row) and its kind ("money",
    "quantity", "date" for a moment shown as its day, or "" for anything else)."""

    label: str
    value: str | Callable
    kind: str = ""

    def cell(self, row):
        value = self.value(row) if callable(self.value) else _follow(row, self.value)
        return cell_value(value, self.kind)


def _follow(row, path: str):
    value = row
    for name in path.split("."):
        if value is None:
            return None
        value = getattr(value, name)
        if callable(value):
            value = value()
    return value


def cell_value(value, kind: str = ""):
    """A row's value as the file holds it: what the page shows, as data."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        # The pages' one rule (b2b_portal.fields), as a number: 1234.50, and 2 not 2.000.
        if kind == "money":
            return round_money(value)
        if kind == "quantity":
            return Decimal(format_quantity(value))
        return value
    if isinstance(value, datetime.datetime):
        # Pages show the day or the minute in the portal's time zone; Excel has no zones.
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        if kind == "date":
            return local.date()
        return local.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, int | datetime.date):
        return value
    return str(value)  # text, a label, or a row's name (a model's __str__)


def table_rows(queryset, columns: list[ExportColumn]) -> Iterator[list]:
    """The queryset's rows as cell values, read from the database in chunks."""
    for row in queryset.iterator(chunk_size=CHUNK_ROWS):
        yield [column.cell(row) for column in columns]


def csv_text(value) -> str:
    """A cell of the CSV file: dates and moments as pages write them, formulas disarmed."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file for ``csv.writer`` that hands back each line instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def csv_response(queryset, columns: list[ExportColumn], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterable[str]:
        # The BOM makes Excel read the file as UTF-8 (customer names are not all ASCII).
        yield "\ufeff" + writer.writerow([column.label for column in columns])
        rows = table_rows(queryset, columns)
        while chunk := list(islice(rows, CHUNK_ROWS)):
            yield "".join(writer.writerow([csv_text(v) for v in row]) for row in chunk)

    response = StreamingHttpResponse(lines(), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _excel_cell(sheet, value, kind: str):
    """The value itself where Excel's default fits (text, counts): a styled cell costs
    several times as much to write."""
    if isinstance(value, str):
        if not value.startswith("="):
            return value
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        return cell
    fmt = EXCEL_FORMATS.get(kind) or EXCEL_FORMATS.get(type(value))
    if value is None or fmt is None:
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.number_format = fmt
    return cell


def xlsx_response(queryset, columns: list[ExportColumn], filename: str) -> FileResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=filename[:31])
    bold = Font(bold=True)
    headings = []
    for column in columns:
        heading = WriteOnlyCell(sheet, column.label)
        heading.font = bold
        headings.append(heading)
    sheet.append(headings)
    kinds = [column.kind for column in columns]
    for row in table_rows(queryset, columns):
        sheet.append([_excel_cell(sheet, v, k) for v, k in zip(row, kinds, strict=True)])
    # Not a `with` block: FileResponse closes the file (and so deletes it) once it is sent.
    file = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(file)
    file.seek(0)
    return FileResponse(
        file, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_TYPE
    )


EXPORTS = {"csv": csv_response, "xlsx": xlsx_response}
