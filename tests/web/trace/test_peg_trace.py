"""The Peg Trace: the whole chain behind one sales order line, with users and times."""

import pytest
from django.urls import reverse
from django.utils import timezone

from b2b_portal.links import document_url
from invoicing.models import ARInvoice
from invoicing.services import (
    APLineInput,
    ap_invoice_create,
    ap_invoice_pay,
    ap_invoice_validate,
    ar_invoice_complete,
    autoinvoice_import,
)
from procurement.models import RequisitionLine, SupplyOrder
from receiving.models import Receipt
from shipping.models import Shipment
from tests.factories import UserFactory
from tests.helpers import queries_to_render, receive, ship, unit_user

pytestmark = pytest.mark.django_db


def trace_url(line) -> str:
    return reverse("orchestration:peg_trace", args=[line.pk])


def finish_cycle(world, order, po_line):
    """Pick, ship, bill the supplier and the customer, and pay and complete both invoices."""
    users = world.users
    ship(world, sales_order=order)
    ap_invoice = ap_invoice_create(
        actor=users["ap"],
        purchase_order=po_line.purchase_order,
        supplier_invoice_number=f"NW-{order.pk}",
        invoice_date=timezone.localdate(),
        lines=[APLineInput(purchase_order_line=po_line, quantity=po_line.quantity)],
    )
    ap_invoice_pay(
        actor=users["ap"], invoice=ap_invoice_validate(actor=users["ap"], invoice=ap_invoice)
    )
    autoinvoice_import(actor=users["ar"])
    ar_invoice_complete(actor=users["ar"], invoice=ARInvoice.objects.get(sales_order=order))


@pytest.fixture
def closed_line(world, drive_to_po):
    """A line of 2 servers driven through every step by each role's user."""
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    receive(world, po_line, "2")
    finish_cycle(world, order, po_line)
    return order.lines.get()


def chain(response) -> dict[str, list[tuple[str, str]]]:
    return {
        stage: [(entry.number, entry.status) for entry in entries]
        for stage, entries in response.context["trace"].stages
    }


def entry_users(response, stage) -> list[list[str]]:
    entries = dict(response.context["trace"].stages)[stage]
    return [[row.history_user.username for row in entry.history] for entry in entries]


def test_the_trace_of_a_closed_line_shows_every_document_and_status(client, world, closed_line):
    line = closed_line
    supply = SupplyOrder.objects.get(sales_order_line=line)
    requisition_line = RequisitionLine.objects.get(sales_order_line=line)
    po_line = line.purchase_order_lines.get()
    receipt = Receipt.objects.get()
    shipment = Shipment.objects.get()
    ap_invoice = po_line.ap_invoice_lines.get().invoice
    ar_invoice = line.ar_invoice_lines.get().invoice
    client.force_login(world.users["clerk"])

    response = client.get(trace_url(line))

    assert response.status_code == 200
    assert chain(response) == {
        "Sales order line": [(f"{line.order.number} line 1", "Closed")],
        "Supply order": [(supply.number, "Received")],
        "Requisition": [(str(requisition_line), "Ordered")],
        "Purchase order": [(f"{po_line.purchase_order.number} line 1", "Closed")],
        "Receipt": [(receipt.number, "Received")],
        "Reservation": [("Reservation in M1", "Issued")],
        "Shipment": [(shipment.number, "Shipped")],
        "AP invoice": [(ap_invoice.number, "Paid")],
        "AR invoice": [(ar_invoice.number, "Complete")],
    }
    content = response.content.decode()
    for number in (supply.number, receipt.number, shipment.number, ap_invoice.number):
        assert number in content
    for status in ("Closed", "Shipped", "Paid", "Complete"):
        assert status in content

    # Who created and changed each document, from its history.
    assert entry_users(response, "Sales order line") == [
        ["clerk", "clerk", "manager", "receiver", "shipper", "ar", "ar"]
    ]
    assert entry_users(response, "Supply order") == [["manager", "buyer", "buyer", "receiver"]]
    assert entry_users(response, "Purchase order") == [
        ["buyer", "buyer", "buyer", "receiver", "ap"]
    ]
    assert entry_users(response, "Receipt") == [["receiver"]]
    assert entry_users(response, "Shipment") == [["shipper", "shipper"]]
    assert entry_users(response, "AP invoice") == [["ap", "ap", "ap"]]
    assert entry_users(response, "AR invoice") == [["ar", "ar"]]
    for creator in ("clerk", "manager", "buyer", "receiver", "shipper", "ap", "ar"):
        assert f'<td class="small">{creator}<div' in content

    # The time the line spent in each status, and who moved it there.
    periods = response.context["trace"].periods
    assert [(p.status, p.moved_by.username) for p in periods] == [
        ("Entered", "clerk"),
        ("Booked", "clerk"),
        ("Awaiting Supply", "manager"),
        ("Awaiting Shipping", "receiver"),
        ("Shipped", "shipper"),
        ("Billed", "ar"),
        ("Closed", "ar"),
    ]
    assert all(p.ended_at >= p.started_at for p in periods[:-1]) and periods[-1].ended_at is None
    assert "Time in each status" in content


def test_documents_are_linked_for_the_roles_that_may_view_them(client, world, closed_line):
    client.force_login(world.users["clerk"])
    stages = dict(client.get(trace_url(closed_line)).context["trace"].stages)
    assert stages["Sales order line"][0].url == reverse(
        "orders:detail", args=[closed_line.order_id]
    )
    assert stages["Purchase order"][0].url is None  # the clerk does not view POs

    client.force_login(world.users["ops"])
    stages = dict(client.get(trace_url(closed_line)).context["trace"].stages)
    [po_entry] = stages["Purchase order"]
    assert po_entry.url == document_url(po_entry.document)
    # A supply order has no page of its own: its link is its line's Peg Trace.
    assert stages["Supply order"][0].url == trace_url(closed_line)


def test_every_role_may_open_the_trace_of_its_units_lines(client, world, closed_line):
    for username in ("clerk", "manager", "buyer", "receiver", "shipper", "ap", "ar", "ops"):
        client.force_login(world.users[username])
        assert client.get(trace_url(closed_line)).status_code == 200, username


def test_a_line_not_yet_supplied_shows_the_stages_to_come(client, world, drive_to_po):
    order, _ = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    client.force_login(world.users["clerk"])
    response = client.get(trace_url(order.lines.get()))
    stages = chain(response)
    assert stages["Purchase order"][0][1] == "Draft"
    assert stages["Receipt"] == stages["Shipment"] == stages["AR invoice"] == []
    assert response.content.decode().count("Not reached yet.") == 5


def test_the_number_of_queries_does_not_grow_with_the_receipts(client, world, drive_to_po):
    """One line received at once and another in three receipts read as many queries."""
    client.force_login(world.users["ops"])
    counts = []
    for quantities in (["3"], ["1", "1", "1"]):
        order, [po_line] = drive_to_po(("SRV-DL380-G11", "3"))
        for quantity in quantities:
            receive(world, po_line, quantity)
        finish_cycle(world, order, po_line)
        counts.append(queries_to_render(client, trace_url(order.lines.get())))
        response = client.get(trace_url(order.lines.get()))
        assert len(dict(response.context["trace"].stages)["Receipt"]) == len(quantities)
    assert counts[0] == counts[1]


def test_another_units_user_gets_404(client, world, closed_line):
    client.force_login(unit_user(world, "eu_clerk", "Order Entry Clerk"))
    assert client.get(trace_url(closed_line)).status_code == 404


def test_a_user_without_any_role_gets_403_and_anonymous_signs_in(client, world, closed_line):
    response = client.get(trace_url(closed_line))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(UserFactory(units=[world.units["US1"]]))
    assert client.get(trace_url(closed_line)).status_code == 403
