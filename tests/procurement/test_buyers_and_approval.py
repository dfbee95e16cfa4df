"""Issue 12, item 7: a PO's buyer comes from master data (the item's buyer, else the
supplier's), not from whoever ran AutoCreate; above its business unit's approval limit a PO
is approved by someone other than its buyer, and the approver is recorded."""

from decimal import Decimal

import pytest

from b2b_portal.errors import PermissionRefused
from procurement.models import POStatus, PurchaseOrder, RequisitionLine
from procurement.services import (
    orders_progress,
    purchase_order_approve,
    purchase_order_submit,
    purchase_orders_autocreate,
    purchase_orders_create_from_requisitions,
    supply_orders_generate,
)
from procurement.services.purchase_orders import ABOVE_APPROVAL_LIMIT
from tests.helpers import place_order, snapshot, unit_user

pytestmark = pytest.mark.django_db


def autocreated(world, *lines):
    """Book ``lines`` and let the operations user's AutoCreate run make their POs."""
    order = place_order(world, *lines)
    orders_progress(actor=world.users["manager"], sales_order=order)
    supply_orders_generate(actor=world.users["buyer"])
    purchase_orders_autocreate(actor=world.users["ops"])
    return list(PurchaseOrder.objects.filter(lines__sales_order_line__order=order).distinct())


def test_the_items_buyer_buys_it_before_the_suppliers(world):
    item_buyer = unit_user(world, "servers-buyer", "Buyer", unit="US1")
    world.items["SRV-DL380-G11"].buyer = item_buyer
    world.items["SRV-DL380-G11"].save()
    world.suppliers["S-100"].buyer = world.users["buyer"]
    world.suppliers["S-100"].save()

    [purchase_order] = autocreated(world, ("SRV-DL380-G11", "1"))

    assert purchase_order.buyer == item_buyer


def test_without_an_item_buyer_the_suppliers_buyer_buys_not_who_ran_autocreate(world):
    world.suppliers["S-100"].buyer = world.users["buyer"]
    world.suppliers["S-100"].save()

    [purchase_order] = autocreated(world, ("SRV-DL380-G11", "1"))

    assert purchase_order.buyer == world.users["buyer"]  # not "ops", who ran AutoCreate


def test_lines_of_one_supplier_with_different_buyers_go_on_separate_pos(world):
    other = unit_user(world, "storage-buyer", "Buyer", unit="US1")
    world.items["STO-X70-R4"].buyer = other
    world.items["STO-X70-R4"].save()
    order = place_order(world, ("STO-A400-96T", "1"), ("STO-X70-R4", "1"))
    orders_progress(actor=world.users["manager"], sales_order=order)
    supply_orders_generate(actor=world.users["buyer"])
    lines = list(RequisitionLine.objects.filter(sales_order_line__order=order))

    purchase_orders = purchase_orders_create_from_requisitions(
        actor=world.users["buyer"], requisition_lines=lines
    )

    assert sorted(po.buyer.username for po in purchase_orders) == ["buyer", "storage-buyer"]
    assert {po.supplier.number for po in purchase_orders} == {"S-200"}


def test_above_the_limit_the_buyer_cannot_approve_his_own_po(world, drive_to_po):
    unit = world.units["US1"]
    unit.po_approval_limit = Decimal("50000.00")
    unit.save()
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"), approve=False)  # 79,600.00 USD
    buyer = world.users["buyer"]
    purchase_order = purchase_order_submit(actor=buyer, purchase_order=po_line.purchase_order)
    before = snapshot()

    with pytest.raises(PermissionRefused) as refused:
        purchase_order_approve(actor=buyer, purchase_order=purchase_order)

    assert refused.value.message == ABOVE_APPROVAL_LIMIT.format(
        po=purchase_order,
        total="79,600.00",
        currency="USD",
        unit="US1",
        limit="50,000.00",
        buyer="buyer",
    )
    assert snapshot() == before
    approver = unit_user(world, "second-buyer", "Buyer", unit="US1")
    approved = purchase_order_approve(actor=approver, purchase_order=purchase_order)
    assert (approved.status, approved.approved_by) == (POStatus.OPEN, approver)
    assert approved.history.order_by("history_id").last().history_user == approver


@pytest.mark.parametrize("limit", [None, Decimal("79600.00")])
def test_at_or_under_the_limit_or_without_one_the_buyer_approves(world, drive_to_po, limit):
    unit = world.units["US1"]
    unit.po_approval_limit = limit
    unit.save()
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"), approve=False)
    buyer = world.users["buyer"]
    purchase_order = purchase_order_submit(actor=buyer, purchase_order=po_line.purchase_order)

    approved = purchase_order_approve(actor=buyer, purchase_order=purchase_order)

    assert (approved.status, approved.approved_by) == (POStatus.OPEN, buyer)
