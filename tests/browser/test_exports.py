"""The Export menu of a list page in Chromium: the buyer searches Manage Purchase Orders,
opens Export and downloads the search as Excel and as CSV."""

import csv
import io
from pathlib import Path

from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import login, shot


def test_buyer_exports_the_searched_purchase_orders(page, live_server, world, drive_to_po):
    _, [searched] = drive_to_po(("SRV-DL380-G11", "2"))
    _, [other] = drive_to_po(("SRV-R760-XA", "1"))
    purchase_order = searched.purchase_order
    login(page, live_server, "buyer")
    page.goto(f"/procurement/purchase-orders/?number={purchase_order.number}")
    expect(page.locator("tbody tr")).to_have_count(1)

    page.get_by_role("button", name="Export").click()
    menu = page.get_by_test_id("export-menu")
    expect(menu.get_by_role("link", name="Excel (XLSX)")).to_be_visible()
    shot(page, "exports-po-list-menu")

    with page.expect_download() as excel:
        menu.get_by_role("link", name="Excel (XLSX)").click()
    today = timezone.localdate().isoformat()
    assert excel.value.suggested_filename == f"purchase-orders-{today}.xlsx"
    # A file object: the downloaded file has no extension, which openpyxl would refuse.
    sheet = load_workbook(io.BytesIO(excel.value.path().read_bytes())).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "Order", "Supplier", "Site", "Ship to", "Status", "Buyer", "Created", "Lines", "Total",
        "Currency",
    ]  # fmt: skip
    assert len(rows) == 2  # the searched PO only: not the other one
    assert rows[1][:2] == [purchase_order.number, "Northwind Server Supply"]
    assert rows[1][-3:] == [1, 79600, "USD"]  # 2 x 39,800.00, a number cell

    page.get_by_role("button", name="Export").click()
    with page.expect_download() as text:
        menu.get_by_role("link", name="CSV").click()
    assert text.value.suggested_filename == f"purchase-orders-{today}.csv"
    with Path(text.value.path()).open(encoding="utf-8-sig", newline="") as file:
        lines = list(csv.reader(file))
    assert [line[0] for line in lines] == ["Order", purchase_order.number]
    assert other.purchase_order.number not in {line[0] for line in lines}
