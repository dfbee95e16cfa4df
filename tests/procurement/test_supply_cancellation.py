"""Issue 10, items 1 and 2: a PO, PO line or requisition line cancelled by the buyer or
on the supplier's word, the supply order left for the buyer, re-sourced or re-generated,
and the PO header following its lines (acceptance 2, 3 and 7)."""

from decimal import Decimal

import pytest

from b2b_portal.errors import PermissionRefused, TransitionRefused, ValidationRefused
from invoicing.models import APInvoiceLine
from invoicing.services import APLineInput, ap_invoice_create, ap_invoice_validate
from orchestration.consistency import check_consistency
from orchestration.peg_trace import peg_trace
from orchestration.services import sales_order_line_cancel
from orders.models import LineStatus
from procurement.models import (
    POLineStatus,
    POStatus,
    PurchaseOrderLine,
    RequisitionLine,
    RequisitionStatus,
    SourcingRule,
    SupplyOrder,
    SupplyStatus,
)
from procurement.services import (
    purchase_order_approve,
    purchase_order_cancel,
    purchase_order_line_cancel,
    purchase_order_submit,
    requisition_line_cancel,
    supply_order_resource,
    supply_orders_generate,
)
from tests.helpers import place_order, receive, snapshot
from tests.orchestration.test_changes import ship_and_bill_everything

pytestmark = pytest.mark.django_db


def cancel_line(world, po_line, *, supplier=True, reason="supplier discontinued the model"):
    return purchase_order_line_cancel(
        actor=world.users["buyer"],
        purchase_order_line=po_line,
        reason=reason,
        on_supplier_word=supplier,
    )


def rule_of(world, supplier):
    return SourcingRule.objects.get(
        item=world.items["SRV-DL380-G11"], supplier=world.suppliers[supplier]
    )


def approve(world, purchase_order):
    purchase_order_submit(actor=world.users["buyer"], purchase_order=purchase_order)
    return purchase_order_approve(actor=world.users["buyer"], purchase_order=purchase_order)


def bill(world, po_line, quantity, number):
    invoice = ap_invoice_create(
        actor=world.users["ap"],
        purchase_order=po_line.purchase_order,
        supplier_invoice_number=number,
        invoice_date=po_line.promised_date,
        lines=[APLineInput(purchase_order_line=po_line, quantity=Decimal(quantity))],
    )
    return ap_invoice_validate(actor=world.users["ap"], invoice=invoice)


@pytest.mark.parametrize("approved", [False, True], ids=["draft", "approved"])
def test_cancelling_a_po_line_leaves_its_supply_order_for_the_buyer(world, drive_to_po, approved):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"), approve=approved)
    cancel_line(world, po_line)

    po_line.refresh_from_db()
    supply = SupplyOrder.objects.get(sales_order_line=order.lines.get())
    requisition_line = po_line.requisition_line
    requisition_line.refresh_from_db()
    assert po_line.status == POLineStatus.CANCELLED
    assert po_line.cancelled_by == world.users["buyer"]
    assert po_line.cancel_reason == (
        "cancelled on the supplier's word: supplier discontinued the model"
    )
    assert requisition_line.status == RequisitionStatus.CANCELLED
    assert po_line.purchase_order.status == POStatus.CANCELLED  # its only line
    assert (supply.status, supply.awaits_buyer) == (SupplyStatus.EXCEPTION, True)
    assert "Re-source it or cancel the demand" in supply.exception_reason
    assert order.lines.get().status == LineStatus.AWAITING_SUPPLY
    last = po_line.history.latest("history_id")
    assert (last.history_user, last.history_change_reason) == (
        world.users["buyer"],
        po_line.cancel_reason,
    )
    # Generate Supply Orders leaves it to the buyer: it would pick the same supplier again.
    supply_orders_generate(actor=world.users["buyer"])
    assert RequisitionLine.objects.filter(supply_order=supply).count() == 1
    assert check_consistency() == []


def test_a_partly_received_line_is_refused_and_points_to_close_short(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "3"))
    receive(world, po_line, "1")
    before = snapshot()
    with pytest.raises(TransitionRefused, match="close it short instead"):
        cancel_line(world, po_line)
    with pytest.raises(TransitionRefused, match="close it short instead"):
        purchase_order_cancel(
            actor=world.users["buyer"], purchase_order=po_line.purchase_order, reason="x"
        )
    assert snapshot() == before


def test_cancellation_is_refused_without_reason_role_or_open_line(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    before = snapshot()
    with pytest.raises(ValidationRefused, match="Say why"):
        cancel_line(world, po_line, reason=" ")
    with pytest.raises(PermissionRefused):
        purchase_order_line_cancel(
            actor=world.users["clerk"], purchase_order_line=po_line, reason="x"
        )
    assert snapshot() == before
    cancel_line(world, po_line)
    before = snapshot()
    with pytest.raises(TransitionRefused, match="Cancelled"):
        cancel_line(world, po_line)
    assert snapshot() == before


def test_cancel_after_approval_resource_receive_ship_and_bill(world, drive_to_po):
    """Acceptance 2."""
    order, [old] = drive_to_po(("SRV-DL380-G11", "2"))
    line = order.lines.get()
    cancel_line(world, old)
    supply = SupplyOrder.objects.get(sales_order_line=line)

    new = supply_order_resource(
        actor=world.users["buyer"],
        supply_order=supply,
        sourcing_rule=rule_of(world, "S-300"),
        reason="Northwind cancelled; Fabrikam has it",
    )
    assert new.sales_order_line == line
    assert new.purchase_order.supplier == world.suppliers["S-300"]
    assert new.unit_price == Decimal("41250.00")
    supply.refresh_from_db()
    assert (supply.status, supply.awaits_buyer, supply.exception_reason) == (
        SupplyStatus.ORDERED,
        False,
        "",
    )
    assert supply.history.latest("history_id").history_change_reason.startswith(
        "re-sourced from Fabrikam Hardware"
    )
    approve(world, new.purchase_order)
    receive(world, new, "2")
    ship_and_bill_everything(world)
    new.refresh_from_db()
    bill(world, new, "2", "FAB-1")

    line.refresh_from_db()
    new.refresh_from_db()
    old.refresh_from_db()
    assert line.status == LineStatus.CLOSED
    live = PurchaseOrderLine.objects.filter(sales_order_line=line).exclude(
        status=POLineStatus.CANCELLED
    )
    assert list(live) == [new]
    assert (old.status, new.status) == (POLineStatus.CANCELLED, POLineStatus.CLOSED)
    assert new.purchase_order.status == POStatus.CLOSED
    assert set(APInvoiceLine.objects.values_list("purchase_order_line", flat=True)) == {new.pk}
    trace = dict(peg_trace(line).stages)
    shown = {entry.number: entry for entry in trace["Purchase order"]}
    assert set(shown) == {str(old), str(new)}
    assert "Cancelled by buyer" in shown[str(old)].note
    assert len(trace["Requisition"]) == 2
    assert check_consistency() == []


def test_resource_is_refused_for_another_item_or_a_live_supply(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    supply = SupplyOrder.objects.get(sales_order_line=order.lines.get())
    other_item = SourcingRule.objects.get(item=world.items["SRV-R760-XA"])
    before = snapshot()
    with pytest.raises(TransitionRefused, match="open or in exception"):
        supply_order_resource(
            actor=world.users["buyer"],
            supply_order=supply,
            sourcing_rule=rule_of(world, "S-300"),
            reason="x",
        )
    cancel_line(world, po_line)
    before = snapshot()
    with pytest.raises(ValidationRefused, match="another item"):
        supply_order_resource(
            actor=world.users["buyer"], supply_order=supply, sourcing_rule=other_item, reason="x"
        )
    assert snapshot() == before


def test_cancel_the_demand_after_a_po_line_is_cancelled(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    cancel_line(world, po_line)
    line = order.lines.get()
    sales_order_line_cancel(actor=world.users["clerk"], sales_order_line=line, reason="no supply")
    line.refresh_from_db()
    assert (line.status, line.cancel_reason) == (LineStatus.CANCELLED, "no supply")
    assert SupplyOrder.objects.get(sales_order_line=line).status == SupplyStatus.CANCELLED
    assert check_consistency() == []


def test_two_line_po_one_billed_one_cancelled_is_closed(world, drive_to_po):
    """Acceptance 7."""
    _, [first, second] = drive_to_po(("SRV-DL380-G11", "1"), ("SRV-DL380-G11", "2"))
    assert first.purchase_order_id == second.purchase_order_id
    receive(world, first, "1")
    ship_and_bill_everything(world)
    first.refresh_from_db()
    bill(world, first, "1", "NW-1")
    first.refresh_from_db()
    assert first.status == POLineStatus.CLOSED
    assert first.purchase_order.status == POStatus.OPEN

    cancel_line(world, second)
    purchase_order = first.purchase_order
    purchase_order.refresh_from_db()
    assert purchase_order.status == POStatus.CLOSED
    last = purchase_order.history.latest("history_id")
    assert last.history_user == world.users["buyer"]
    assert check_consistency() == []


def test_cancelling_a_whole_po_cancels_every_open_line(world, drive_to_po):
    _, po_lines = drive_to_po(("SRV-DL380-G11", "1"), ("SRV-DL380-G11", "2"))
    purchase_order = purchase_order_cancel(
        actor=world.users["buyer"],
        purchase_order=po_lines[0].purchase_order,
        reason="buyer chose another vendor",
    )
    assert purchase_order.status == POStatus.CANCELLED
    assert set(PurchaseOrderLine.objects.values_list("status", flat=True)) == {"CANCELLED"}
    assert set(SupplyOrder.objects.values_list("status", flat=True)) == {"EXCEPTION"}
    before = snapshot()
    with pytest.raises(TransitionRefused, match="Cancelled"):
        purchase_order_cancel(actor=world.users["buyer"], purchase_order=purchase_order, reason="x")
    assert snapshot() == before


# --- Requisition lines (item 2) ----------------------------------------------------------


def requisitioned(world):
    order = place_order(world, ("SRV-DL380-G11", "2"))
    from procurement.services import orders_progress

    orders_progress(actor=world.users["manager"], sales_order=order)
    supply_orders_generate(actor=world.users["buyer"])
    return order.lines.get(), RequisitionLine.objects.get()


def test_a_cancelled_requisition_line_is_made_again_exactly_once(world):
    """Acceptance 3, one run after another."""
    line, requisition_line = requisitioned(world)
    requisition_line_cancel(
        actor=world.users["buyer"], requisition_line=requisition_line, reason="wrong supplier"
    )
    requisition_line.refresh_from_db()
    supply = SupplyOrder.objects.get(sales_order_line=line)
    assert requisition_line.status == RequisitionStatus.CANCELLED
    assert requisition_line.cancelled_by == world.users["buyer"]
    assert supply.status == SupplyStatus.OPEN
    for _ in range(3):
        supply_orders_generate(actor=world.users["buyer"])
    live = RequisitionLine.objects.filter(supply_order=supply).exclude(status="CANCELLED")
    assert live.count() == 1
    supply.refresh_from_db()
    assert supply.status == SupplyStatus.REQUISITIONED


def test_a_requisition_line_can_be_held_or_resourced_at_once(world):
    line, requisition_line = requisitioned(world)
    requisition_line_cancel(
        actor=world.users["buyer"],
        requisition_line=requisition_line,
        reason="Fabrikam is faster",
        resource_with=rule_of(world, "S-300"),
    )
    new = PurchaseOrderLine.objects.get(sales_order_line=line)
    assert new.purchase_order.supplier == world.suppliers["S-300"]
    assert new.purchase_order.status == POStatus.DRAFT
    before = snapshot()
    with pytest.raises(TransitionRefused, match="already cancelled"):
        requisition_line_cancel(
            actor=world.users["buyer"], requisition_line=requisition_line, reason="x"
        )
    with pytest.raises(TransitionRefused, match="cancel the PO line instead"):
        requisition_line_cancel(
            actor=world.users["buyer"], requisition_line=new.requisition_line, reason="x"
        )
    assert snapshot() == before


def test_a_held_requisition_waits_for_the_buyer(world):
    line, requisition_line = requisitioned(world)
    requisition_line_cancel(
        actor=world.users["buyer"], requisition_line=requisition_line, reason="check", hold=True
    )
    supply = SupplyOrder.objects.get(sales_order_line=line)
    assert (supply.status, supply.awaits_buyer) == (SupplyStatus.EXCEPTION, True)
    supply_orders_generate(actor=world.users["buyer"])
    assert not RequisitionLine.objects.exclude(status="CANCELLED").exists()
