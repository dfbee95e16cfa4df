"""The AR accountant ticks three drafts on the AR Invoices list and completes them at once."""

from playwright.sync_api import expect

from invoicing.models import ARInvoice, ARStatus
from orders.models import LineStatus, SalesOrderLine
from tests.browser.conftest import assert_page_reads_well, login, shot
from tests.web.shipping.support import invoiced_in_bulk


def test_the_accountant_completes_the_ticked_drafts_in_the_browser(page, live_server, world):
    invoiced_in_bulk(world, 4)
    invoices = list(ARInvoice.objects.order_by("pk"))
    login(page, live_server, "ar")

    page.goto(f"{live_server.url}/invoicing/ar/")
    for invoice in invoices[:3]:
        page.get_by_label(f"Select {invoice.number}").check()
    assert_page_reads_well(page, "ar-complete-selected-01-ticked")
    shot(page, "ar-complete-selected-01-ticked")
    page.get_by_role("button", name="Complete selected").click()

    expect(page.get_by_text("3 invoices completed.")).to_be_visible()
    # The one left a draft still has its checkbox; the completed ones none.
    expect(page.get_by_label(f"Select {invoices[3].number}")).to_be_visible()
    expect(page.get_by_label(f"Select {invoices[0].number}")).to_have_count(0)
    assert_page_reads_well(page, "ar-complete-selected-02-completed")
    shot(page, "ar-complete-selected-02-completed")

    statuses = dict(ARInvoice.objects.values_list("pk", "status"))
    assert [statuses[invoice.pk] for invoice in invoices] == [ARStatus.COMPLETE] * 3 + [
        ARStatus.DRAFT
    ]
    closed = SalesOrderLine.objects.filter(status=LineStatus.CLOSED)
    assert set(closed.values_list("order_id", flat=True)) == {
        invoice.sales_order_id for invoice in invoices[:3]
    }
