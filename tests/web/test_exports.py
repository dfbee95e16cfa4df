"""List exports (b2b_portal.exports through SearchableListMixin): every list page's CSV and
XLSX hold, cell by cell, the rows the page shows (its search and sort applied, every page of
it), only the user's business units, and only for a user who may open the page."""

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from b2b_portal.exports import cell_value, csv_text
from invoicing.services import APLineInput, ap_invoice_create, autoinvoice_import
from invoicing.views import APInvoiceListView, ARInvoiceListView, PurchaseOrderChoiceView
from orders.services import OrderLineInput, sales_order_book, sales_order_create
from orders.views import OrderListView
from procurement.models import PurchaseOrderLine, RequisitionLine
from procurement.services import (
    orders_progress,
    purchase_order_approve,
    purchase_order_submit,
    purchase_orders_create_from_requisitions,
    supply_orders_generate,
)
from procurement.views import ProcessRequisitionsView, PurchaseOrderListView
from receiving.models import Receipt
from receiving.services import ReceiptLineInput, receipt_create
from receiving.views import ReceiptListView, ReceiveExpectedShipmentsView
from shipping.models import Shipment
from shipping.services import pick_release, shipment_ship_confirm
from shipping.views import ShipmentListView
from tests.factories import CustomerFactory
from tests.helpers import place_order

STAGES = ["entered", "requisition", "po", "received", "shipped"]


def carry(world, *lines, until, unit="US1", customer="C-1001", warehouse="M1"):
    """An order of ``(item, quantity)`` lines carried through the cycle up to ``until``: as
    the role users in US1, as the administrator (the one user of both units) in EU1."""

    def user(role):
        return world.users[role if unit == "US1" else "admin"]

    stage = STAGES.index(until)
    order = sales_order_create(
        actor=user("clerk"),
        business_unit=world.units[unit],
        customer=world.customers[customer],
        warehouse=world.warehouses[warehouse],
        requested_date=timezone.localdate() + timedelta(days=30),
        lines=[OrderLineInput(item=world.items[n], quantity=Decimal(q)) for n, q in lines],
    )
    if stage == 0:
        return order
    sales_order_book(actor=user("clerk"), sales_order=order)
    orders_progress(actor=user("manager"), sales_order=order)
    supply_orders_generate(actor=user("buyer"), business_unit=world.units[unit])
    if stage == 1:
        return order
    requisition_lines = RequisitionLine.objects.filter(sales_order_line__order=order)
    for purchase_order in purchase_orders_create_from_requisitions(
        actor=user("buyer"), requisition_lines=list(requisition_lines.order_by("pk"))
    ):
        purchase_order_submit(actor=user("buyer"), purchase_order=purchase_order)
        purchase_order_approve(actor=user("buyer"), purchase_order=purchase_order)
    if stage == 2:
        return order
    for po_line in PurchaseOrderLine.objects.filter(sales_order_line__order=order):
        receipt_create(
            actor=user("receiver"),
            purchase_order=po_line.purchase_order,
            lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=po_line.quantity)],
            packing_slip=f"PS-{order.pk}",
        )
        ap_invoice_create(
            actor=user("ap"),
            purchase_order=po_line.purchase_order,
            supplier_invoice_number=f"INV-{order.pk}",
            invoice_date=timezone.localdate(),
            lines=[APLineInput(purchase_order_line=po_line, quantity=po_line.quantity)],
        )
    if stage == 3:
        return order
    wave = pick_release(
        actor=user("shipper"),
        business_unit=world.units[unit],
        warehouse=world.warehouses[warehouse],
        sales_order=order,
    )
    for shipment in wave.shipments.order_by("pk"):
        shipment_ship_confirm(actor=user("shipper"), shipment=shipment)
    autoinvoice_import(actor=user("ar"), business_unit=world.units[unit])
    return order


@pytest.fixture
def documents(world):
    """Rows in every list of US1, and in EU1 the same kinds of documents (order ``eu``
    shipped and invoiced, ``eu_po`` on an open PO, ``eu_req`` on a requisition)."""
    eu = {"unit": "EU1", "customer": "C-2001", "warehouse": "E1"}
    return {
        "shipped": carry(world, ("SRV-DL380-G11", "2"), until="shipped"),
        "shipped_too": carry(world, ("SRV-DL380-G11", "1"), customer="C-1002", until="shipped"),
        "on_po": carry(world, ("SRV-R760-XA", "1"), until="po"),
        "on_po_too": carry(world, ("STO-A400-96T", "1"), customer="C-1003", until="po"),
        "requisition": carry(
            world, ("STO-A400-96T", "3"), ("SRV-R760-XA", "1.5"), until="requisition"
        ),
        "entered": carry(world, ("CBL-CAT6-3M", "5"), customer="C-1002", until="entered"),
        "eu": carry(world, ("SRV-DL380-EU", "1"), until="shipped", **eu),
        "eu_po": carry(world, ("SRV-DL380-EU", "2"), until="po", **eu),
        "eu_req": carry(world, ("SRV-DL380-EU", "4"), until="requisition", **eu),
    }


def po_of(order):
    return PurchaseOrderLine.objects.filter(sales_order_line__order=order).first().purchase_order


def requisition_of(order):
    return RequisitionLine.objects.filter(sales_order_line__order=order).first().requisition


@dataclass(frozen=True)
class ListPage:
    """A list page: who opens it, a search that narrows its rows (made from the
    documents), and the number of a document of EU1 it would list to a user of EU1."""

    url: str
    view: type
    username: str
    search: object
    eu_number: object


LISTS = {
    "orders": ListPage(
        "orders:list",
        OrderListView,
        "clerk",
        lambda w, d: {"item": "SRV-DL380"},
        lambda d: d["eu"].number,
    ),
    "requisition-lines": ListPage(
        "procurement:requisitions",
        ProcessRequisitionsView,
        "buyer",
        lambda w, d: {"supplier": w.suppliers["S-200"].pk},
        lambda d: requisition_of(d["eu_req"]).number,
    ),
    "purchase-orders": ListPage(
        "procurement:po_list",
        PurchaseOrderListView,
        "buyer",
        lambda w, d: {"supplier": w.suppliers["S-100"].pk},
        lambda d: po_of(d["eu"]).number,
    ),
    "expected-shipments": ListPage(
        "receiving:expected",
        ReceiveExpectedShipmentsView,
        "receiver",
        lambda w, d: {"supplier": w.suppliers["S-300"].pk},
        lambda d: po_of(d["eu_po"]).number,
    ),
    "receipts": ListPage(
        "receiving:receipt_list",
        ReceiptListView,
        "receiver",
        lambda w, d: {"purchase_order": po_of(d["shipped"]).number},
        lambda d: Receipt.objects.get(purchase_order=po_of(d["eu"])).number,
    ),
    "shipments": ListPage(
        "shipping:shipment_list",
        ShipmentListView,
        "shipper",
        lambda w, d: {"q": d["shipped"].number},
        lambda d: Shipment.objects.get(lines__sales_order_line__order=d["eu"]).number,
    ),
    "purchase-orders-to-invoice": ListPage(
        "invoicing:ap_create",
        PurchaseOrderChoiceView,
        "ap",
        lambda w, d: {"q": "Contoso"},
        lambda d: po_of(d["eu"]).number,
    ),
    "ap-invoices": ListPage(
        "invoicing:ap_list",
        APInvoiceListView,
        "ap",
        lambda w, d: {"q": f"INV-{d['shipped'].pk}"},
        lambda d: po_of(d["eu"]).ap_invoices.get().number,
    ),
    "ar-invoices": ListPage(
        "invoicing:ar_list",
        ARInvoiceListView,
        "ar",
        lambda w, d: {"customer": w.customers["C-1002"].pk},
        lambda d: d["eu"].ar_invoices.get().number,
    ),
}
# Not shown as data: screen-reader text, badges ("In builder"), buttons and small links.
NOT_DATA = {"visually-hidden", "badge", "btn", "small"}


class ListTable(HTMLParser):
    """The headings and the rows' cell texts of a list page's table, without what is not
    shown as data (``NOT_DATA``, and the sort arrows hidden from screen readers). The list
    is the page's last table (Receive Expected Shipments shows the ship notices above it)."""

    VOID = {"input", "br", "img", "hr", "meta", "link"}

    def __init__(self):
        super().__init__()
        self.headings, self.rows, self.row, self.cell = [], [], [], None
        self.skipping = []  # per open element: whether its text is not data

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.headings, self.rows = [], []
        if tag in ("th", "td"):
            self.cell = []
        elif tag == "tr":
            self.row = []
        if tag not in self.VOID:
            classes = set((attrs.get("class") or "").split())
            self.skipping.append(bool(classes & NOT_DATA) or attrs.get("aria-hidden") == "true")

    def handle_endtag(self, tag):
        if tag not in self.VOID:
            self.skipping.pop()
        if tag in ("th", "td"):
            text = " ".join("".join(self.cell).split())
            (self.headings if tag == "th" else self.row).append(text)
            self.cell = None
        elif tag == "tr" and self.row:
            self.rows.append(self.row)

    def handle_data(self, data):
        if self.cell is not None and not any(self.skipping):
            self.cell.append(data)


def page_table(client, url, params) -> tuple[list[str], list[list[str]]]:
    response = client.get(url, params)
    assert response.status_code == 200
    table = ListTable()
    table.feed(response.content.decode())
    rows = [row for row in table.rows if len(row) > 1]  # not the "No ... match." row
    return table.headings, rows


def number(text: str):
    """A number as a page shows it ("1,234.50", "2", "2.000"), or None when empty."""
    return Decimal(text.replace(",", "")) if text else None


def expected_file(columns, headings, rows) -> list[list]:
    """The file a page promises: its headings and cells (a currency column after an
    amount shown with its currency), numbers as Decimals, "—" as empty."""
    header, body = [], [[] for _ in rows]
    for index, column in enumerate(columns):
        if not column.value:
            continue
        header += [headings[index], "Currency"] if column.currency else [headings[index]]
        for cells, row in zip(body, rows, strict=True):
            text = "" if row[index] == "—" else row[index]
            if column.kind in ("money", "quantity"):
                amount, *currency = text.split(" ")
                cells.append(number(amount))
                if column.currency:
                    cells.append(" ".join(currency))
            else:
                cells.append(text)
    return [header, *body]


def numeric_columns(columns) -> set[int]:
    kinds = [
        kind
        for column in columns
        if column.value
        for kind in ([column.kind, ""] if column.currency else [column.kind])
    ]
    return {index for index, kind in enumerate(kinds) if kind in ("money", "quantity")}


def read_csv(content: bytes, columns) -> list[list]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel reads the file as UTF-8 only with a BOM"
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    numeric = numeric_columns(columns)
    return [rows[0]] + [
        [number(v) if i in numeric else v for i, v in enumerate(row)] for row in rows[1:]
    ]


def read_xlsx(content: bytes, columns) -> list[list]:
    """The sheet's cells, numbers as Decimals (and asserted to be number cells, not text),
    dates and moments as the page writes them (told apart by the cell's format)."""
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    numeric = numeric_columns(columns)

    def value(cell):
        if cell.column - 1 in numeric and cell.row > 1:
            assert cell.value is None or cell.data_type == "n", f"{cell.value!r} is no number"
            return None if cell.value is None else Decimal(str(cell.value))
        if cell.is_date:
            moment = "hh" in cell.number_format
            return cell.value.strftime("%Y-%m-%d %H:%M" if moment else "%Y-%m-%d")
        return "" if cell.value is None else str(cell.value)  # a count (int) as the page

    return [[value(cell) for cell in row] for row in sheet.iter_rows()]


READERS = {"csv": read_csv, "xlsx": read_xlsx}


@pytest.mark.django_db
@pytest.mark.parametrize("name", LISTS)
def test_export_holds_the_rows_the_page_shows_cell_by_cell(client, world, documents, name):
    """The search narrows the page, and each file (CSV, then XLSX) has the page's headings
    and rows, in the page's (non-default) order, cell by cell."""
    spec = LISTS[name]
    client.force_login(world.users[spec.username])
    url = reverse(spec.url)
    columns = spec.view.columns
    _, all_rows = page_table(client, url, {})
    search = {**spec.search(world, documents), "sort": f"-{columns_sort(columns)}"}
    headings, rows = page_table(client, url, search)
    assert rows, "the search lists no rows: nothing is compared"
    assert len(rows) < len(all_rows), "the search narrows nothing: the filter is not proven"

    for fmt, read in READERS.items():
        response = client.get(url, {**search, "export": fmt})

        assert response.status_code == 200
        today = timezone.localdate().isoformat()
        assert response["Content-Disposition"].endswith(f'filename="{name}-{today}.{fmt}"')
        content = b"".join(response.streaming_content)
        assert read(content, columns) == expected_file(columns, headings, rows), fmt


def columns_sort(columns) -> str:
    """A sort key of the list other than its first column's, so the order is the search's."""
    return [column.sort for column in columns if column.sort][1]


@pytest.mark.django_db
def test_export_holds_every_page_not_only_the_first(client, world, documents, monkeypatch):
    monkeypatch.setattr(OrderListView, "paginate_by", 2)
    client.force_login(world.users["clerk"])
    url = reverse("orders:list")
    _, first_page = page_table(client, url, {})
    response = client.get(url, {"export": "csv", "page": "2"})
    rows = read_csv(b"".join(response.streaming_content), OrderListView.columns)[1:]
    assert len(first_page) == 2
    assert [row[0] for row in rows] == [
        order.number
        for order in sorted(documents.values(), key=lambda order: -order.pk)
        if order.business_unit.code == "US1"
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("name", LISTS)
def test_export_holds_only_the_users_business_units(client, world, documents, name):
    """The EU1 document is in the administrator's file (both units) and not in the file
    of the US1 user, whose page does not list it either."""
    spec = LISTS[name]
    url = reverse(spec.url)
    eu_number = spec.eu_number(documents)

    def first_column(username, fmt):
        client.force_login(world.users[username])
        response = client.get(url, {"export": fmt})
        assert response.status_code == 200
        rows = READERS[fmt](b"".join(response.streaming_content), spec.view.columns)
        return [row[0] for row in rows[1:]]

    for fmt in READERS:
        assert eu_number in first_column("admin", fmt)
        numbers = first_column(spec.username, fmt)
        assert numbers, "the US1 user's file is empty: the scoping is not proven"
        assert eu_number not in numbers


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", LISTS)
def test_export_is_refused_without_the_pages_permission(client, world, name, fmt):
    spec = LISTS[name]
    outsider = next(
        user for user in world.users.values() if not user.has_perm(spec.view.permission_required)
    )
    client.force_login(outsider)
    response = client.get(reverse(spec.url), {"export": fmt})
    assert response.status_code == 403
    assert "Content-Disposition" not in response


@pytest.mark.django_db
def test_export_asks_to_sign_in_first(client, world):
    response = client.get(reverse("orders:list"), {"export": "csv"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_text_a_spreadsheet_would_run_as_a_formula_stays_text(client, world):
    """CSV injection: a customer named like a formula is text in both files."""
    name = "=HYPERLINK(1+2)"
    customer = CustomerFactory(business_unit=world.units["US1"], number="C-1999", name=name)
    world.customers[customer.number] = customer
    place_order(world, ("SRV-DL380-G11", "1"), customer="C-1999")
    client.force_login(world.users["clerk"])

    response = client.get(reverse("orders:list"), {"export": "csv"})
    rows = read_csv(b"".join(response.streaming_content), OrderListView.columns)
    assert rows[1][1] == f"'{name}"

    response = client.get(reverse("orders:list"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    cell = sheet.cell(row=2, column=2)
    assert (cell.value, cell.data_type) == (name, "s")


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (Decimal("20.000"), "quantity", "20"),  # not normalize()'s 2E+1
        (Decimal("1.500"), "quantity", "1.5"),
        (Decimal("5"), "money", "5.00"),
        (Decimal("1234.5"), "money", "1234.50"),
        (None, "money", ""),
        ("", "", ""),
        ("+1 555", "", "'+1 555"),
        (datetime(2026, 11, 28, 9, 41, 59, tzinfo=UTC), "", "2026-11-28 09:41"),
        (datetime(2026, 11, 28, 23, 59, tzinfo=UTC), "date", "2026-11-28"),
        (7, "", "7"),
    ],
)
def test_a_value_is_written_as_the_page_shows_it(value, kind, text):
    assert csv_text(cell_value(value, kind)) == text
