"""The buyer's PO services check their permission themselves, whoever calls them."""

import pytest

from b2b_portal.errors import PermissionRefused
from procurement.models import POStatus, PurchaseOrder, RequisitionLine
from procurement.services import (
    orders_progress,
    purchase_order_submit,
    purchase_orders_create_from_requisitions,
    supply_orders_generate,
)
from tests.helpers import place_order, snapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["clerk", "manager", "receiver", "ap"])
def test_only_a_buyer_creates_purchase_orders_from_requisitions(world, username):
    order = place_order(world, ("SRV-DL380-G11", "1"))
    orders_progress(actor=world.users["manager"], sales_order=order)
    supply_orders_generate(actor=world.users["buyer"])
    before = snapshot()

    with pytest.raises(PermissionRefused) as refused:
        purchase_orders_create_from_requisitions(
            actor=world.users[username], requisition_lines=list(RequisitionLine.objects.all())
        )

    user = world.users[username]
    assert refused.value.message == f"{user} is not allowed to create purchase orders."
    assert snapshot() == before


@pytest.mark.parametrize("username", ["clerk", "manager", "ap"])
def test_only_a_buyer_submits_a_purchase_order(world, drive_to_po, username):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    before = snapshot()

    with pytest.raises(PermissionRefused) as refused:
        purchase_order_submit(actor=world.users[username], purchase_order=po_line.purchase_order)

    user = world.users[username]
    assert refused.value.message == f"{user} is not allowed to submit purchase orders."
    assert snapshot() == before
    assert PurchaseOrder.objects.get().status == POStatus.DRAFT
