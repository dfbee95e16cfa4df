"""The admin's change actions call the same services as the pages, each with a reason."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from orchestration.models import BusinessException, ExceptionStatus, Resolution
from orchestration.services import sales_order_line_cancel
from orders.models import LineStatus, SalesOrder, SalesOrderLine
from procurement.models import POLineStatus, PurchaseOrderLine
from tests.factories import UserFactory
from tests.helpers import messages_of, place_order, receive

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roles_with_the_admin")]


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def offered(client, model) -> set[str]:
    form = client.get(changelist(model)).context["action_form"]
    return {name for name, _ in form.fields["action"].choices if name} if form else set()


def act(client, model, action, objects, reason="admin decision"):
    """The action's reason page, then the action with the reason, as the admin posts them."""
    data = {"action": action, "index": 0, ACTION_CHECKBOX_NAME: [obj.pk for obj in objects]}
    asked = client.post(changelist(model), data)
    assert asked.status_code == 200 and "reason" in asked.context["form"].fields
    return client.post(
        changelist(model), {**data, "apply_reason": "yes", "reason": reason}, follow=True
    )


def test_the_clerk_cancels_lines_and_orders(client, world, users):
    first = place_order(world, ("SRV-DL380-G11", "1"))
    second = place_order(world, ("SRV-R760-XA", "1"), ("STO-A400-96T", "1"))
    client.force_login(users["clerk"])
    assert "cancel_lines" in offered(client, SalesOrderLine)
    assert "cancel_orders" in offered(client, SalesOrder)

    response = act(client, SalesOrderLine, "cancel_lines", [first.lines.get()], "duplicate")
    assert messages_of(response) == ["Cancelled 1 order line."]
    assert first.lines.get().status == LineStatus.CANCELLED
    assert first.lines.get().cancel_reason == "duplicate"
    act(client, SalesOrder, "cancel_orders", [second], "customer withdrew")
    assert set(second.lines.values_list("status", "cancel_reason")) == {
        (LineStatus.CANCELLED, "customer withdrew")
    }
    assert second.lines.first().history.latest().history_user == users["clerk"]


def test_cancel_is_not_offered_without_the_permission(client, world, users):
    line = place_order(world, ("SRV-DL380-G11", "1")).lines.get()
    client.force_login(users["buyer"])  # may view order lines, not change them
    assert "cancel_lines" not in offered(client, SalesOrderLine)
    data = {"action": "cancel_lines", "index": 0, ACTION_CHECKBOX_NAME: [line.pk]}
    client.post(changelist(SalesOrderLine), {**data, "apply_reason": "yes", "reason": "x"})
    line.refresh_from_db()
    assert line.status == LineStatus.BOOKED


@pytest.mark.parametrize(
    ("action", "split_status"),
    [("close_short_resupply", LineStatus.BOOKED), ("close_short_cancel", LineStatus.CANCELLED)],
)
def test_the_buyer_closes_po_lines_short(client, world, users, drive_to_po, action, split_status):
    _order, [po_line, other] = drive_to_po(("SRV-DL380-G11", "3"), ("SRV-DL380-G11", "2"))
    receive(world, po_line, "1")
    client.force_login(users["buyer"])
    assert {"close_short_resupply", "close_short_cancel"} <= offered(client, PurchaseOrderLine)

    response = act(client, PurchaseOrderLine, action, [po_line, other], "discontinued")

    po_line.refresh_from_db()
    other.refresh_from_db()
    assert (po_line.quantity, po_line.status) == (1, POLineStatus.CLOSED_FOR_RECEIVING)
    assert other.status == POLineStatus.OPEN  # nothing received: refused, the other done
    split = SalesOrderLine.objects.get(split_from=po_line.sales_order_line)
    assert (split.quantity, split.status) == (Decimal("2"), split_status)
    assert f"Nothing was received on {other}: cancel it instead." in messages_of(response)
    client.force_login(users["receiver"])  # sees PO lines, may not change them
    assert not {"close_short_resupply", "close_short_cancel"} & offered(client, PurchaseOrderLine)


@pytest.fixture
def exception_resolver(world):
    """A staff buyer who may also see exceptions in the admin (the Buyer role may not)."""
    return UserFactory(
        is_staff=True,
        permissions=["orchestration.view_businessexception", "procurement.change_purchaseorder"],
        units=[world.units["US1"]],
    )


@pytest.mark.parametrize(
    ("action", "resolution", "po_line_status"),
    [
        ("cancel_with_supplier", Resolution.CANCELLED_WITH_SUPPLIER, POLineStatus.CANCELLED),
        ("keep_as_stock", Resolution.KEPT_AS_STOCK, POLineStatus.OPEN),
    ],
)
def test_the_buyer_resolves_exceptions(
    client, world, drive_to_po, exception_resolver, action, resolution, po_line_status
):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    sales_order_line_cancel(
        actor=world.users["clerk"], sales_order_line=order.lines.get(), reason="lost"
    )
    exception = BusinessException.objects.get()
    client.force_login(exception_resolver)
    assert {"cancel_with_supplier", "keep_as_stock", "acknowledge"} <= offered(
        client, BusinessException
    )

    act(client, BusinessException, action, [exception], "phoned the supplier")

    exception.refresh_from_db()
    po_line.refresh_from_db()
    assert (exception.status, exception.resolution, exception.resolved_by) == (
        ExceptionStatus.RESOLVED,
        resolution,
        exception_resolver,
    )
    assert exception.resolution_reason == "phoned the supplier"
    assert po_line.status == po_line_status


def test_resolving_is_not_offered_without_the_permission(client, world, drive_to_po):
    viewer = UserFactory(
        is_staff=True,
        permissions=["orchestration.view_businessexception"],
        units=[world.units["US1"]],
    )
    client.force_login(viewer)
    assert offered(client, BusinessException) == set()
