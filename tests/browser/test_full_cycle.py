"""Issue 4, acceptance 1: the whole Back-to-Back cycle in Chromium, each step done by its
role through its workbench, signing in and out as each. The Peg Trace at the end must name
every document of the chain with its status, as the page shows it and as the database has it.

Celery is eager in tests and ``live_server`` commits each request, so a process queued by
a page (Progress Order at booking, a run from Schedule New Process) has finished by the time
the next page shows.
"""

import re

from playwright.sync_api import expect

from orders.models import LineStatus, SalesOrderLine
from procurement.models import (
    POStatus,
    PurchaseOrder,
    RequisitionLine,
    RequisitionStatus,
)
from tests.browser.conftest import login, logout, shot
from tests.cycle.chain import LINE_STATUS_PERIODS, chain_in_the_database

ITEM = "SRV-DL380-G11"
CUSTOMER = "C-1001"
WAREHOUSE = "M1"
SUPPLIER_INVOICE = "S100-INV-0001"


def open_workbench(page, section: str, entry: str):
    """Through the navbar, as a user would: the section's dropdown, then the entry."""
    navbar = page.get_by_role("navigation", name="Main")
    navbar.get_by_role("button", name=section).click()
    navbar.get_by_role("link", name=entry).click()


def run_process(page, process: str):
    """Submit Schedule New Process for ``process`` once, now, and see the run succeed."""
    expect(page.get_by_role("heading", name="Schedule New Process")).to_be_visible()
    page.get_by_label("Process").select_option(label=process)
    # htmx swaps in the process's parameters; a post before that would be sent back.
    expect(page.get_by_test_id("process-parameters")).to_contain_text(f"Parameters of {process}")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile(r"/processes/runs/\d+/$"))
    expect(page.get_by_test_id("run-status")).to_have_text("Succeeded")


def clerk_books_an_order(page, live_server, world) -> str:
    """Create Order with one line of 2 servers, Submit; returns the order page's URL."""
    login(page, live_server, "clerk")
    open_workbench(page, "Order Management", "Create Order")
    expect(page.get_by_role("heading", name="Create Order")).to_be_visible()
    page.get_by_label("Customer", exact=True).select_option(label=str(world.customers[CUSTOMER]))
    expect(page.get_by_label("Warehouse")).to_have_value(str(world.warehouses[WAREHOUSE].pk))
    page.get_by_label("Item").select_option(label=str(world.items[ITEM]))
    page.get_by_label("Quantity").fill("2")
    # htmx fills the item's list price in: the page answered the item choice.
    expect(page.get_by_label("Unit price")).to_have_value("48500.00")
    shot(page, "cycle-01-clerk-create-order")
    page.get_by_role("button", name="Submit").click()

    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    expect(page.get_by_role("alert")).to_contain_text("is submitted and booked")
    # Booking queued Progress Order, which ran at commit.
    expect(page.get_by_test_id("order-status")).to_have_text("Awaiting Supply")
    expect(page.get_by_test_id("line-status")).to_have_text("Awaiting Supply")
    shot(page, "cycle-02-clerk-order-awaiting-supply")
    order_url = page.url
    logout(page)
    return order_url


def operations_generate_supply_orders(page, live_server):
    login(page, live_server, "ops")
    open_workbench(page, "Operations", "Scheduled Processes")
    page.get_by_role("link", name="Schedule New Process").click()
    run_process(page, "Generate Supply Orders")
    shot(page, "cycle-03-ops-generate-supply-orders")
    logout(page)


def buyer_creates_and_approves_the_po(page, live_server, order_number: str) -> None:
    login(page, live_server, "buyer")
    open_workbench(page, "Procurement", "Process Requisitions")
    expect(page.get_by_role("heading", name="Process Requisitions")).to_be_visible()
    requisition_row = page.get_by_role("row").filter(has_text=order_number)
    expect(requisition_row).to_contain_text(ITEM)
    requisition_row.get_by_role("checkbox").check()
    shot(page, "cycle-04-buyer-process-requisitions")
    page.get_by_role("button", name="Add to Document Builder").click()

    expect(page.get_by_role("heading", name="Document Builder")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text("1 line added to the Document Builder.")
    shot(page, "cycle-05-buyer-document-builder")
    page.get_by_role("button", name="Create").click()

    page.wait_for_url(re.compile(r"/procurement/purchase-orders/\d+/$"))
    expect(page.get_by_test_id("po-status")).to_have_text("Draft")
    expect(page.get_by_test_id("peg")).to_contain_text(f"{order_number} line 1")
    page.get_by_role("button", name="Submit for Approval").click()
    expect(page.get_by_test_id("po-status")).to_have_text("Pending Approval")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_test_id("po-status")).to_have_text("Open")
    shot(page, "cycle-06-buyer-po-approved")
    logout(page)


def receiver_receives_the_po(page, live_server, po_number: str) -> None:
    login(page, live_server, "receiver")
    open_workbench(page, "Receiving", "Receive Expected Shipments")
    expect(page.get_by_role("heading", name="Receive Expected Shipments")).to_be_visible()
    page.get_by_label("PO number").fill(po_number)
    page.get_by_role("button", name="Search").click()
    shot(page, "cycle-07-receiver-expected-shipments")
    page.get_by_role("link", name=f"Receive {po_number}").click()

    expect(page.get_by_role("heading", name=f"Receive {po_number}")).to_be_visible()
    page.get_by_label("Received quantity on line 1").fill("2")
    shot(page, "cycle-08-receiver-receive")
    page.get_by_role("button", name="Create Receipt").click()

    page.wait_for_url(re.compile(r"/receiving/receipts/\d+/$"))
    # The receipt reserved what arrived for the pegged order line.
    expect(page.get_by_test_id("reservation")).to_have_text("2")
    expect(page.get_by_test_id("so-line-status")).to_have_text("Awaiting Shipping")
    shot(page, "cycle-09-receiver-receipt")
    logout(page)


def shipper_picks_and_ships(page, live_server, order_number: str) -> None:
    login(page, live_server, "shipper")
    open_workbench(page, "Shipping", "Pick Release")
    expect(page.get_by_role("heading", name="Pick Release")).to_be_visible()
    page.get_by_label("Warehouse").select_option(label=WAREHOUSE)
    expect(page.get_by_test_id("awaiting-release")).to_contain_text("1 reserved line awaits")
    shot(page, "cycle-10-shipper-pick-release")
    page.get_by_role("button", name="Release").click()

    expect(page.get_by_role("heading", name=re.compile(r"^Pick Slip WAVE-"))).to_be_visible()
    shipment = page.get_by_role("region").filter(has_text=order_number)
    expect(shipment).to_contain_text(ITEM)
    shot(page, "cycle-11-shipper-pick-slip")
    shipment.get_by_role("link", name=re.compile(r"^SHP-")).click()

    expect(page.get_by_test_id("shipment-status")).to_have_text("Released")
    page.get_by_label("Waybill").fill("1Z-B2B-0001")
    page.get_by_role("button", name="Ship Confirm").click()
    expect(page.get_by_test_id("shipment-status")).to_have_text("Shipped")
    shot(page, "cycle-12-shipper-shipment-shipped")
    logout(page)


def ap_invoices_the_po(page, live_server, po_number: str) -> None:
    login(page, live_server, "ap")
    open_workbench(page, "Payables", "Create Invoice")
    expect(page.get_by_role("heading", name="Create Invoice")).to_be_visible()
    shot(page, "cycle-13-ap-choose-po")
    page.get_by_role("link", name=f"Create Invoice for {po_number}").click()

    expect(page.get_by_role("heading", name=f"Create Invoice for {po_number}")).to_be_visible()
    # What is received and not yet billed.
    expect(page.get_by_label("Quantity to bill on line 1")).to_have_value(re.compile(r"^2(\.0*)?$"))
    page.get_by_label("Supplier invoice number").fill(SUPPLIER_INVOICE)
    shot(page, "cycle-14-ap-create-invoice")
    page.get_by_role("button", name="Create Invoice").click()

    page.wait_for_url(re.compile(r"/invoicing/ap/\d+/$"))
    expect(page.get_by_test_id("ap-status")).to_have_text("Draft")
    page.get_by_role("button", name="Validate").click()
    expect(page.get_by_test_id("ap-status")).to_have_text("Validated")
    shot(page, "cycle-15-ap-invoice-validated")
    logout(page)


def ar_imports_and_completes_the_invoice(page, live_server, order_number: str) -> None:
    """Import AutoInvoice from the AR list's link, then Complete; ends on the Peg Trace."""
    login(page, live_server, "ar")
    open_workbench(page, "Receivables", "AR Invoices")
    expect(page.get_by_role("heading", name="AR Invoices")).to_be_visible()
    page.get_by_role("link", name="Import AutoInvoice").click()
    run_process(page, "Import AutoInvoice")
    shot(page, "cycle-16-ar-autoinvoice-run")

    open_workbench(page, "Receivables", "AR Invoices")
    invoice_row = page.get_by_role("row").filter(has_text=order_number)
    expect(invoice_row).to_contain_text("Draft")
    shot(page, "cycle-17-ar-invoices")
    invoice_row.get_by_role("link", name=re.compile(r"^AR-")).click()

    expect(page.get_by_test_id("ar-status")).to_have_text("Draft")
    page.get_by_role("button", name="Complete").click()
    expect(page.get_by_test_id("ar-status")).to_have_text("Complete")
    shot(page, "cycle-18-ar-invoice-complete")
    page.get_by_role("link", name=f"Peg Trace of {order_number} line 1").click()


def chain_on_the_page(page) -> dict[str, list[tuple[str, str]]]:
    """Each stage of the Peg Trace with its documents as (number, status), read as shown."""
    chain = {}
    for stage in page.get_by_test_id("stage").all():
        name = stage.get_by_role("rowheader").inner_text().strip()
        chain[name] = [
            (
                row.get_by_test_id("document").inner_text().splitlines()[0].strip(),
                row.get_by_test_id("document-status").inner_text().strip(),
            )
            for row in stage.get_by_role("row").all()
            if row.get_by_test_id("document").count()
        ]
    return chain


def status_periods_on_the_page(page) -> list[tuple[str, str]]:
    """(status, who moved the line into it) per row of the "Time in each status" table."""
    periods = page.get_by_role("table").filter(
        has=page.get_by_role("columnheader", name="Time spent")
    )
    rows = periods.get_by_role("row").filter(has=page.get_by_role("cell")).all()
    return [
        (cells[0].inner_text().strip(), cells[4].inner_text().split()[0])
        for cells in (row.get_by_role("cell").all() for row in rows)
    ]


def test_the_roles_take_an_order_through_the_whole_cycle_in_the_browser(page, live_server, world):
    order_url = clerk_books_an_order(page, live_server, world)
    so_line = SalesOrderLine.objects.select_related("order").get()
    order_number = so_line.order.number
    assert order_url.endswith(f"/orders/{so_line.order_id}/")
    assert so_line.item.number == ITEM
    assert so_line.quantity == 2
    assert so_line.status == LineStatus.AWAITING_SUPPLY

    operations_generate_supply_orders(page, live_server)
    assert RequisitionLine.objects.get(sales_order_line=so_line).status == (
        RequisitionStatus.APPROVED
    )

    buyer_creates_and_approves_the_po(page, live_server, order_number)
    purchase_order = PurchaseOrder.objects.get(lines__sales_order_line=so_line)
    assert purchase_order.status == POStatus.OPEN

    receiver_receives_the_po(page, live_server, purchase_order.number)
    shipper_picks_and_ships(page, live_server, order_number)
    ap_invoices_the_po(page, live_server, purchase_order.number)
    ar_imports_and_completes_the_invoice(page, live_server, order_number)

    expect(page.get_by_role("heading", name=f"Peg Trace: {so_line}")).to_be_visible()
    expect(page.get_by_test_id("line-status")).to_have_text("Closed")
    shot(page, "cycle-19-peg-trace")
    so_line.refresh_from_db()
    assert chain_on_the_page(page) == chain_in_the_database(so_line)
    # The stage shows the PO's status; its line's own status is in the note.
    po_stage = page.get_by_test_id("stage").filter(
        has=page.get_by_role("rowheader", name="Purchase order")
    )
    expect(po_stage.get_by_test_id("document")).to_contain_text("Line Closed, received 2")
    assert status_periods_on_the_page(page) == LINE_STATUS_PERIODS
    logout(page)
