"""The admin's actions that cancel supply go through the services and ask for a reason
(issue 10, items 1 and 2)."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from procurement.models import (
    POLineStatus,
    POStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    RequisitionLine,
    RequisitionStatus,
    SupplyOrder,
    SupplyStatus,
)
from procurement.services import orders_progress, supply_orders_generate
from tests.helpers import messages_of, place_order

pytestmark = pytest.mark.django_db


def post_action(client, user, model, action, objects, **extra):
    client.force_login(user)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    data = {"action": action, "index": 0, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra}
    return client.post(url, data, follow=True)


def test_cancel_po_lines_on_the_suppliers_word_from_the_admin(client, world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    admin_user = world.users["admin"]
    page = post_action(client, admin_user, PurchaseOrderLine, "cancel_by_supplier", [po_line])
    assert page.templates[0].name == "admin/action_reason.html"
    response = post_action(
        client,
        admin_user,
        PurchaseOrderLine,
        "cancel_by_supplier",
        [po_line],
        apply_reason="yes",
        reason="model discontinued",
    )
    assert any(
        message.startswith("Cancelled 1 purchase order line") for message in messages_of(response)
    )
    po_line.refresh_from_db()
    assert po_line.status == POLineStatus.CANCELLED
    assert po_line.cancel_reason == "cancelled on the supplier's word: model discontinued"
    assert po_line.cancelled_by == admin_user
    assert SupplyOrder.objects.get().status == SupplyStatus.EXCEPTION


def test_cancel_a_po_and_a_requisition_line_from_the_admin(client, world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"), approve=False)
    admin_user = world.users["admin"]
    post_action(
        client,
        admin_user,
        PurchaseOrder,
        "cancel_orders",
        [po_line.purchase_order],
        apply_reason="yes",
        reason="wrong supplier",
    )
    assert PurchaseOrder.objects.get().status == POStatus.CANCELLED

    order = place_order(world, ("SRV-R760-XA", "1"))
    orders_progress(actor=world.users["manager"], sales_order=order)
    supply_orders_generate(actor=world.users["buyer"])
    requisition_line = RequisitionLine.objects.get(sales_order_line__order=order)
    post_action(
        client,
        admin_user,
        RequisitionLine,
        "cancel_requisition_lines",
        [requisition_line],
        apply_reason="yes",
        reason="source it again",
    )
    requisition_line.refresh_from_db()
    assert requisition_line.status == RequisitionStatus.CANCELLED
    assert SupplyOrder.objects.get(sales_order_line__order=order).status == SupplyStatus.OPEN
