"""Editing an Entered order: header, lines added, changed and removed; refused once booked,
in another unit or for a role without the right."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from b2b_portal.errors import PermissionRefused, TransitionRefused, ValidationRefused
from catalog.units import NOT_YOUR_UNIT
from orders.editing import (
    LAST_LINE,
    NOT_ENTERED_LINE,
    NOT_ENTERED_ORDER,
    NOTHING_CHANGED,
    sales_order_line_add,
    sales_order_line_remove,
    sales_order_line_update,
    sales_order_update,
)
from orders.models import SalesOrderLine
from tests.helpers import place_order, snapshot, unit_user

pytestmark = pytest.mark.django_db


def last_history(obj):
    return obj.history.order_by("history_id").last()


def test_header_changes_customer_po_and_requested_date(world):
    order = place_order(world, ("SRV-DL380-G11", "2"), book=False)
    clerk = world.users["clerk"]
    new_date = timezone.localdate() + timedelta(days=45)

    sales_order_update(
        actor=clerk, sales_order=order, customer_po_number="PO-777", requested_date=new_date
    )

    order.refresh_from_db()
    assert (order.customer_po_number, order.requested_date) == ("PO-777", new_date)
    assert [line.requested_date for line in order.lines.all()] == [new_date]
    record = last_history(order)
    assert record.history_user == clerk
    assert "customer PO (none) -> PO-777" in record.history_change_reason
    assert "requested date" in record.history_change_reason
    assert last_history(order.lines.get()).history_user == clerk


def test_a_line_is_added_changed_and_removed(world):
    order = place_order(world, ("SRV-DL380-G11", "2"), book=False)
    clerk = world.users["clerk"]

    added = sales_order_line_add(
        actor=clerk, sales_order=order, item=world.items["SRV-R760-XA"], quantity=Decimal("3")
    )
    assert (added.line_number, added.quantity, added.unit_selling_price) == (
        2,
        Decimal("3"),
        Decimal("96000.00"),
    )
    assert last_history(added).history_user == clerk

    first = order.lines.get(line_number=1)
    sales_order_line_update(
        actor=clerk,
        line=first,
        item=world.items["SRV-R760-XA"],
        quantity=Decimal("5"),
        unit_selling_price=Decimal("90000.00"),
    )
    first.refresh_from_db()
    assert (first.item.number, first.quantity, first.unit_selling_price) == (
        "SRV-R760-XA",
        Decimal("5.000"),
        Decimal("90000.00"),
    )
    record = last_history(first)
    assert record.history_user == clerk
    assert "quantity 2 -> 5" in record.history_change_reason
    assert "price 48,500.00 -> 90,000.00" in record.history_change_reason

    sales_order_line_remove(actor=clerk, line=added)
    assert list(order.lines.values_list("line_number", flat=True)) == [1]
    deleted = SalesOrderLine.history.filter(id=added.pk, history_type="-").get()
    assert (deleted.history_user, deleted.history_change_reason) == (clerk, "line 2 removed")


def test_invalid_edits_are_refused_like_at_entry(world):
    order = place_order(world, ("SRV-DL380-G11", "2"), book=False)
    line = order.lines.get()
    clerk = world.users["clerk"]
    before = snapshot()
    cases = [
        (lambda: sales_order_line_remove(actor=clerk, line=line), LAST_LINE),
        (
            lambda: sales_order_line_update(
                actor=clerk, line=line, item=line.item, quantity=Decimal("0")
            ),
            "Quantity must be greater than zero.",
        ),
        (
            lambda: sales_order_line_add(
                actor=clerk,
                sales_order=order,
                item=world.items["SRV-DL380-EU"],
                quantity=Decimal("1"),
            ),
            f"The item {world.items['SRV-DL380-EU']} belongs to another business unit.",
        ),
        (
            lambda: sales_order_line_update(
                actor=clerk, line=line, item=line.item, quantity=line.quantity
            ),
            NOTHING_CHANGED,
        ),
    ]
    for call, message in cases:
        with pytest.raises(ValidationRefused) as refused:
            call()
        assert refused.value.message == message
    assert snapshot() == before
    line.refresh_from_db()
    assert (line.quantity, line.unit_selling_price) == (Decimal("2.000"), Decimal("48500.00"))


def test_a_booked_order_is_not_edited(world):
    order = place_order(world, ("SRV-DL380-G11", "2"))
    line = order.lines.get()
    clerk = world.users["clerk"]
    before = snapshot()

    with pytest.raises(TransitionRefused) as refused:
        sales_order_update(
            actor=clerk,
            sales_order=order,
            customer_po_number="X",
            requested_date=line.requested_date,
        )
    assert refused.value.message == NOT_ENTERED_ORDER.format(order=order)
    with pytest.raises(TransitionRefused) as refused:
        sales_order_line_add(actor=clerk, sales_order=order, item=line.item, quantity=Decimal("1"))
    assert refused.value.message == NOT_ENTERED_ORDER.format(order=order)
    for call in (
        lambda: sales_order_line_update(actor=clerk, line=line, item=line.item, quantity=9),
        lambda: sales_order_line_remove(actor=clerk, line=line),
    ):
        with pytest.raises(TransitionRefused) as refused:
            call()
        assert refused.value.message == NOT_ENTERED_LINE.format(line=line, status="Booked")
    assert snapshot() == before
    order.refresh_from_db()
    assert order.customer_po_number == ""


@pytest.mark.parametrize("username", ["buyer", "shipper", "receiver"])
def test_a_role_without_the_right_cannot_edit(world, username):
    order = place_order(world, ("SRV-DL380-G11", "2"), book=False)
    user = world.users[username]
    before = snapshot()

    with pytest.raises(PermissionRefused) as refused:
        sales_order_line_update(
            actor=user, line=order.lines.get(), item=world.items["SRV-DL380-G11"], quantity=3
        )
    assert refused.value.message == f"{user} is not allowed to change sales orders."
    assert snapshot() == before


def test_a_clerk_of_another_unit_cannot_edit(world):
    order = place_order(world, ("SRV-DL380-G11", "2"), book=False)
    stranger = unit_user(world, "eu-clerk", "Order Entry Clerk")
    before = snapshot()

    with pytest.raises(PermissionRefused) as refused:
        sales_order_update(
            actor=stranger,
            sales_order=order,
            customer_po_number="X",
            requested_date=order.requested_date,
        )
    assert refused.value.message == NOT_YOUR_UNIT.format(actor=stranger)
    assert snapshot() == before
