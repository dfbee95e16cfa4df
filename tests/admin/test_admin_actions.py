"""Transitions as admin actions: offered only with the permission, run through the
services (history names the user), refusals reported with nothing changed."""

from decimal import Decimal

import pytest

from invoicing.models import APInvoice, APInvoiceHold, APStatus, ARInvoice, ARStatus
from orders.models import LineStatus, SalesOrder
from procurement.models import POStatus, PurchaseOrder, SupplyOrder
from procurement.services import purchase_order_submit
from shipping.models import Shipment, ShipmentStatus
from tests.admin.support import changelist_url, offered_actions
from tests.helpers import messages_of, place_order, receive, release, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_po(world, drive_to_po):
    _, po_lines = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    purchase_order = po_lines[0].purchase_order
    purchase_order_submit(actor=world.users["buyer"], purchase_order=purchase_order)
    return purchase_order


def test_approve_is_neither_offered_nor_run_without_the_permission(
    client, pending_po, make_staff_user, post_action
):
    junior = make_staff_user(
        "junior-buyer", ["procurement.view_purchaseorder", "procurement.change_purchaseorder"]
    )
    client.force_login(junior)
    assert "approve_orders" not in offered_actions(client.get(changelist_url(PurchaseOrder)))
    versions = pending_po.history.count()

    post_action(junior, PurchaseOrder, "approve_orders", [pending_po])

    pending_po.refresh_from_db()
    assert pending_po.status == POStatus.PENDING_APPROVAL
    assert pending_po.approved_by is None
    assert pending_po.history.count() == versions


def test_a_buyer_approves_through_the_service_and_history_names_the_buyer(
    client, world, pending_po, post_action
):
    buyer = world.users["buyer"]
    client.force_login(buyer)
    assert "approve_orders" in offered_actions(client.get(changelist_url(PurchaseOrder)))

    response = post_action(buyer, PurchaseOrder, "approve_orders", [pending_po])

    pending_po.refresh_from_db()
    assert pending_po.status == POStatus.OPEN
    assert pending_po.approved_by == buyer
    latest = pending_po.history.latest()
    assert latest.history_user == buyer
    assert latest.status == POStatus.OPEN
    assert "Approved 1 purchase order; they are open for receiving." in messages_of(response)


@pytest.fixture
def unbookable_cable(world):
    """The cable neither Back-to-Back nor stocked: booking it is refused."""
    item = world.items["CBL-CAT6-3M"]
    item.stocked = False
    item.save()
    return item


def test_a_refused_booking_shows_the_reason_and_changes_nothing(
    world, post_action, unbookable_cable
):
    order = place_order(world, ("CBL-CAT6-3M", "10"), book=False)
    before = snapshot()

    response = post_action(world.users["clerk"], SalesOrder, "book_orders", [order])

    assert response.status_code == 200
    assert any(
        "item CBL-CAT6-3M cannot be booked as a Back-to-Back line; it is missing: "
        "Back-to-Back Enabled, Purchased, Purchasable." in message
        for message in messages_of(response)
    )
    assert snapshot() == before
    order.refresh_from_db()
    assert order.booked_at is None
    assert order.lines.get().status == LineStatus.ENTERED


def test_booking_reports_each_order_and_books_the_good_ones(world, post_action, unbookable_cable):
    good = place_order(world, ("SRV-DL380-G11", "1"), book=False)
    bad = place_order(world, ("CBL-CAT6-3M", "1"), book=False)

    response = post_action(world.users["clerk"], SalesOrder, "book_orders", [good, bad])

    messages = messages_of(response)
    assert "Booked 1 sales order." in messages
    assert any(message.startswith(f"{bad}: Line 1: item CBL-CAT6-3M") for message in messages)
    assert good.lines.get().status == LineStatus.BOOKED
    assert good.lines.get().history.latest().history_user == world.users["clerk"]
    assert bad.lines.get().status == LineStatus.ENTERED


def test_progress_order_for_selected_orders(world, post_action):
    order = place_order(world, ("SRV-DL380-G11", "2"))

    response = post_action(world.users["manager"], SalesOrder, "progress_orders", [order])

    assert "Progress Order ran for 1 sales order." in messages_of(response)
    line = order.lines.get()
    assert line.status == LineStatus.AWAITING_SUPPLY
    supply_order = SupplyOrder.objects.get(sales_order_line=line)
    assert supply_order.quantity == Decimal("2")
    assert supply_order.history.get().history_user == world.users["manager"]

    again = post_action(world.users["manager"], SalesOrder, "progress_orders", [order])
    assert any("no booked Back-to-Back line" in message for message in messages_of(again))
    assert SupplyOrder.objects.filter(sales_order_line=line).count() == 1


def test_reject_asks_for_a_reason_on_an_intermediate_page(client, world, pending_po, post_action):
    buyer = world.users["buyer"]
    page = post_action(buyer, PurchaseOrder, "reject_orders", [pending_po])
    assert page.templates[0].name == "admin/action_reason.html"
    assert str(pending_po) in page.content.decode()

    blank = post_action(buyer, PurchaseOrder, "reject_orders", [pending_po], apply_reason="yes")
    assert blank.templates[0].name == "admin/action_reason.html"  # the reason is required
    pending_po.refresh_from_db()
    assert pending_po.status == POStatus.PENDING_APPROVAL

    response = post_action(
        buyer,
        PurchaseOrder,
        "reject_orders",
        [pending_po],
        apply_reason="yes",
        reason="Price not agreed",
    )
    assert "Rejected 1 purchase order; they are back to Draft." in messages_of(response)
    pending_po.refresh_from_db()
    assert pending_po.status == POStatus.DRAFT
    assert pending_po.rejection_reason == "Price not agreed"
    assert pending_po.history.latest().history_user == buyer


def test_release_a_price_hold_with_a_reason_validates_the_invoice(world, full_cycle, post_action):
    invoice = full_cycle["ap_invoice"]
    assert invoice.status == APStatus.ON_HOLD
    hold = invoice.holds.get()

    response = post_action(
        world.users["ap"],
        APInvoiceHold,
        "release_holds",
        [hold],
        apply_reason="yes",
        reason="Price increase agreed by phone",
    )

    assert "Released 1 AP invoice hold." in messages_of(response)
    hold.refresh_from_db()
    assert hold.released_by == world.users["ap"]
    assert hold.release_reason == "Price increase agreed by phone"
    invoice.refresh_from_db()
    assert invoice.status == APStatus.VALIDATED

    paid = post_action(world.users["ap"], APInvoice, "pay_invoices", [invoice])
    assert "Recorded payment of 1 AP invoice." in messages_of(paid)
    invoice.refresh_from_db()
    assert invoice.status == APStatus.PAID
    assert invoice.history.latest().history_user == world.users["ap"]


def test_ship_confirm_and_complete_the_customer_invoice(world, drive_to_po, post_action):
    order, po_lines = drive_to_po(("SRV-DL380-G11", "1"))
    receive(world, po_lines[0], "1")
    wave = release(world)
    shipment = wave.shipments.get()

    response = post_action(world.users["shipper"], Shipment, "ship_confirm", [shipment])

    assert "Ship confirmed 1 shipment." in messages_of(response)
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.SHIPPED
    assert shipment.shipped_by == world.users["shipper"]
    assert order.lines.get().status == LineStatus.SHIPPED

    again = post_action(world.users["shipper"], Shipment, "ship_confirm", [shipment])
    assert f"{shipment} is already Shipped." in messages_of(again)

    from invoicing.services import autoinvoice_import

    autoinvoice_import(actor=world.users["ar"])
    invoice = ARInvoice.objects.get(sales_order=order)
    completed = post_action(world.users["ar"], ARInvoice, "complete_invoices", [invoice])
    assert "Completed 1 AR invoice; their order lines are closed." in messages_of(completed)
    invoice.refresh_from_db()
    assert invoice.status == ARStatus.COMPLETE
    assert order.lines.get().status == LineStatus.CLOSED


def test_create_purchase_orders_from_selected_requisition_lines(world, post_action):
    from procurement.models import RequisitionLine, RequisitionStatus
    from procurement.services import orders_progress, supply_orders_generate

    order = place_order(world, ("SRV-DL380-G11", "1"), ("STO-A400-96T", "1"))
    orders_progress(actor=world.users["manager"], sales_order=order)
    supply_orders_generate(actor=world.users["buyer"])
    lines = list(RequisitionLine.objects.filter(sales_order_line__order=order))

    response = post_action(world.users["buyer"], RequisitionLine, "create_purchase_orders", lines)

    assert any(m.startswith("Created 2 draft purchase orders") for m in messages_of(response))
    assert {
        line.status for line in RequisitionLine.objects.filter(pk__in=[x.pk for x in lines])
    } == {RequisitionStatus.ORDERED}
    again = post_action(world.users["buyer"], RequisitionLine, "create_purchase_orders", lines)
    assert any("no longer awaiting a PO" in message for message in messages_of(again))
    assert PurchaseOrder.objects.filter(lines__sales_order_line__order=order).count() == 2
