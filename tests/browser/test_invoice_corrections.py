"""Issue 10, acceptance 6: the AP invoice that bills 5 on a PO line closed short at 1
received is resolved from its page in the browser, both ways (Adjust to Received, then
Validated; Cancel the Invoice, then Cancelled); and acceptance 5's credit memo is issued
from the AR invoice page and printed."""

import re

from playwright.sync_api import expect

from invoicing.models import APStatus, ARCreditMemo, ARInvoice
from invoicing.services import autoinvoice_import
from procurement.models import POLineStatus
from tests.browser.conftest import login, shot
from tests.helpers import receive, ship
from tests.invoicing.support import complete_ar_invoice, stuck_hold


def open_stuck_invoice(page, live_server, world, drive_to_po):
    invoice, po_line = stuck_hold(world, drive_to_po)
    assert po_line.status == POLineStatus.CLOSED_FOR_RECEIVING
    login(page, live_server, "ap")
    page.goto(f"{live_server.url}{invoice.get_absolute_url()}")
    expect(page.get_by_test_id("ap-status")).to_have_text("On Hold")
    expect(page.get_by_text("no more goods will come")).to_be_visible()
    return invoice


def test_stuck_hold_adjusted_to_received_in_the_browser(page, live_server, world, drive_to_po):
    invoice = open_stuck_invoice(page, live_server, world, drive_to_po)
    shot(page, "corrections-01-ap-stuck-hold")
    page.get_by_role("link", name="Adjust to Received").click()
    expect(
        page.get_by_role("heading", name=f"Adjust to Received: {invoice.number}")
    ).to_be_visible()
    page.get_by_label("Adjust reason").fill("supplier billed the whole order; 1 came")
    shot(page, "corrections-02-adjust-to-received")
    page.get_by_role("button", name="Adjust to Received and Validate").click()

    page.wait_for_url(re.compile(rf"/invoicing/ap/{invoice.pk}/$"))
    expect(page.get_by_test_id("ap-status")).to_have_text("Validated")
    expect(page.get_by_text("supplier billed the whole order; 1 came").first).to_be_visible()
    shot(page, "corrections-03-ap-validated")
    invoice.refresh_from_db()
    assert invoice.status == APStatus.VALIDATED
    assert str(invoice.lines.get().quantity) == "1.000"


def test_stuck_hold_invoice_cancelled_in_the_browser(page, live_server, world, drive_to_po):
    invoice = open_stuck_invoice(page, live_server, world, drive_to_po)
    page.get_by_role("link", name="Cancel the Invoice").click()
    expect(page.get_by_role("heading", name=f"Cancel AP Invoice: {invoice.number}")).to_be_visible()
    page.get_by_label("Cancel reason").fill("entered against the wrong PO")
    shot(page, "corrections-04-ap-cancel")
    page.get_by_role("button", name="Cancel Invoice").click()

    page.wait_for_url(re.compile(rf"/invoicing/ap/{invoice.pk}/$"))
    expect(page.get_by_test_id("ap-status")).to_have_text("Cancelled")
    expect(page.get_by_test_id("ap-cancel-reason")).to_have_text("entered against the wrong PO")
    shot(page, "corrections-05-ap-cancelled")
    invoice.refresh_from_db()
    assert invoice.status == APStatus.CANCELLED
    assert not invoice.has_open_holds()


def test_credit_memo_issued_and_printed_in_the_browser(page, live_server, world, drive_to_po):
    invoice = complete_ar_invoice(world, drive_to_po)
    line = invoice.lines.get()
    login(page, live_server, "ar")
    page.goto(f"{live_server.url}{invoice.get_absolute_url()}")
    page.get_by_role("link", name="Credit").click()
    expect(page.get_by_role("heading", name=f"Credit AR Invoice {invoice.number}")).to_be_visible()
    page.get_by_label(f"Quantity to credit on {line.sales_order_line}").fill("1")
    page.get_by_label(f"Credited quantity of {line.sales_order_line}").select_option("REINVOICE")
    page.get_by_label("Credit reason").fill("one unit billed before acceptance")
    shot(page, "corrections-06-ar-credit-memo-form")
    page.get_by_role("button", name="Issue Credit Memo").click()

    memo = ARCreditMemo.objects.get()
    page.wait_for_url(re.compile(rf"/invoicing/ar/credit-memos/{memo.pk}/$"))
    expect(page.get_by_test_id("credit-total")).to_have_text("48,500.00")
    expect(page.get_by_test_id("credit-reason")).to_have_text("one unit billed before acceptance")
    shot(page, "corrections-07-ar-credit-memo")
    page.get_by_role("link", name="Printable Credit Memo").click()
    expect(page.get_by_role("heading", name=f"Credit Memo {memo.number}")).to_be_visible()
    shot(page, "corrections-08-ar-credit-memo-print")


def test_line_adjusted_and_debit_memo_entered_in_the_browser(page, live_server, world, drive_to_po):
    invoice = open_stuck_invoice(page, live_server, world, drive_to_po)
    line = invoice.lines.get()
    page.get_by_role("link", name=f"Adjust {line.purchase_order_line}").click()
    page.get_by_label("New quantity").fill("1")
    page.get_by_label("Adjust reason").fill("supplier's corrected invoice")
    shot(page, "corrections-09-ap-line-adjust")
    page.get_by_role("button", name="Adjust and Validate").click()
    expect(page.get_by_test_id("ap-status")).to_have_text("Validated")

    page.goto(f"{live_server.url}/invoicing/ap/")
    page.get_by_role("link", name="New Debit Memo").click()
    page.get_by_label("Supplier", exact=True).select_option(value=str(invoice.supplier_id))
    page.get_by_label("Kind").select_option(label="Return to vendor")
    page.get_by_label("Amount the supplier owes back").fill("39800.00")
    page.get_by_label("Reason", exact=True).fill("server returned dead on arrival")
    shot(page, "corrections-10-debit-memo-form")
    page.get_by_role("button", name="Enter Debit Memo").click()
    page.wait_for_url(re.compile(r"/invoicing/ap/debit-memos/\d+/$"))
    expect(page.get_by_test_id("debit-amount")).to_have_text("39,800.00 USD")
    shot(page, "corrections-11-debit-memo")


def test_draft_ar_invoice_cancelled_in_the_browser(page, live_server, world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    receive(world, po_line, "2")
    ship(world)
    autoinvoice_import(actor=world.users["ar"])
    invoice = ARInvoice.objects.get(sales_order=order)
    login(page, live_server, "ar")
    page.goto(f"{live_server.url}{invoice.get_absolute_url()}")
    page.get_by_role("link", name="Cancel Invoice").click()
    page.get_by_label("Cancel reason").fill("customer PO number missing")
    shot(page, "corrections-12-ar-cancel")
    page.get_by_role("button", name="Cancel Invoice").click()
    expect(page.get_by_test_id("ar-status")).to_have_text("Cancelled")
    expect(page.get_by_test_id("ar-cancel-reason")).to_have_text("customer PO number missing")
    shot(page, "corrections-13-ar-cancelled")
