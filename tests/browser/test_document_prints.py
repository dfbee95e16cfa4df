"""Issue 12 item 9 in the browser: the printable AR invoice shows the unit's and the
customer's addresses, the payment terms and due date, and its tax lines; its PDF link
downloads the invoice as a PDF named by its number."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from b2b_portal.pdf import PDF_CONTENT_TYPE
from tests.browser.conftest import assert_page_reads_well, login, shot
from tests.web.test_document_pdfs import documents  # noqa: F401 (the fixture)


def test_printable_invoice_shows_addresses_terms_and_tax(page, live_server, documents):  # noqa: F811
    invoice = documents.ar_invoice
    login(page, live_server, "ar")
    page.goto(f"{live_server.url}{invoice.get_absolute_url()}")
    page.get_by_role("link", name="Printable Invoice").click()
    page.wait_for_url(re.compile(rf"/invoicing/ar/{invoice.pk}/print/$"))

    parties = page.get_by_test_id("document-parties")
    expect(parties.get_by_test_id("unit-address")).to_contain_text("1 Harbor Way")
    expect(parties.get_by_test_id("party-address")).to_contain_text(
        re.compile(r"Acme Analytics \(C-1001\)\s*100 Main Street\s*Springfield, IL 62701")
    )
    due = (invoice.invoice_date + timedelta(days=45)).isoformat()
    expect(parties.get_by_test_id("payment-terms")).to_contain_text(
        re.compile(rf"Net 45 days\s*Due date\s*{due}")
    )
    totals = page.get_by_test_id("tax-totals")
    expect(totals).to_contain_text(re.compile(r"Tax 10 % on 96,000.00\s*9,600.00 USD"))
    expect(totals).to_contain_text(re.compile(r"Tax 20 % on 97,000.00\s*19,400.00 USD"))
    expect(totals.get_by_test_id("total-with-tax")).to_have_text("222,000.00 USD")
    assert_page_reads_well(page, "ar-print")
    shot(page, "print-ar-invoice-addresses-terms-tax")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"{invoice.number}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    response = page.request.get(f"{live_server.url}/invoicing/ar/{invoice.pk}/pdf/")
    assert response.headers["content-type"] == PDF_CONTENT_TYPE
