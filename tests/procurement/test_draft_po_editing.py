"""The buyer edits a Draft PO (line price, promised date, quantity within the pegged demand,
the note to the supplier); refused once submitted, above the demand, in another unit or for
a role without the right."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from b2b_portal.errors import PermissionRefused, TransitionRefused, ValidationRefused
from catalog.units import NOT_YOUR_UNIT
from orchestration.consistency import check_consistency
from orders.models import LineStatus
from processes.models import ProcessRun, RunStatus
from procurement.models import SupplyOrder
from procurement.services import (
    orders_progress,
    purchase_order_line_update,
    purchase_order_note_set,
    purchase_order_submit,
)
from procurement.services.editing import ABOVE_DEMAND, NOT_DRAFT, PROMISED_IN_PAST
from tests.helpers import snapshot, unit_user

pytestmark = pytest.mark.django_db


def last_history(obj):
    return obj.history.order_by("history_id").last()


def edit(world, po_line, actor=None, **values):
    arguments = {
        "unit_price": po_line.unit_price,
        "promised_date": po_line.promised_date,
        "quantity": po_line.quantity,
        **values,
    }
    return purchase_order_line_update(
        actor=actor or world.users["buyer"], line=po_line, **arguments
    )


def test_a_draft_line_takes_a_new_price_date_and_quantity(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "3"), approve=False)
    buyer = world.users["buyer"]
    promised = timezone.localdate() + timedelta(days=20)

    edit(world, po_line, unit_price=Decimal("39000.00"), promised_date=promised, quantity=2)

    po_line.refresh_from_db()
    assert (po_line.unit_price, po_line.promised_date, po_line.quantity) == (
        Decimal("39000.00"),
        promised,
        Decimal("2.000"),
    )
    record = last_history(po_line)
    assert record.history_user == buyer
    assert "price 39,800.00 -> 39,000.00" in record.history_change_reason
    assert "quantity 3 -> 2" in record.history_change_reason


def test_a_reduced_quantity_moves_its_supply_and_splits_the_demand(world, drive_to_po):
    """Issue 10 item 7/2: the requisition line and supply order follow the PO line; the
    demand it no longer covers becomes a split line that Progress Order supplies again."""
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "3"), approve=False)
    buyer = world.users["buyer"]
    so_line = po_line.sales_order_line

    edit(world, po_line, quantity=Decimal("2"))

    po_line.refresh_from_db()
    so_line.refresh_from_db()
    requisition_line = po_line.requisition_line
    supply = requisition_line.supply_order
    assert (po_line.quantity, requisition_line.quantity, supply.quantity, so_line.quantity) == (
        Decimal("2.000"),
        Decimal("2.000"),
        Decimal("2.000"),
        Decimal("2.000"),
    )
    split = order.lines.get(split_from=so_line)
    assert (split.quantity, split.status, split.line_number) == (
        Decimal("1.000"),
        LineStatus.BOOKED,
        2,
    )
    # Progress Order is queued for the unit (joining the booking's run, still queued).
    assert ProcessRun.objects.filter(
        process="progress_order",
        status=RunStatus.QUEUED,
        parameters={"business_unit": order.business_unit_id},
    ).exists()
    for document in (requisition_line, supply, so_line, split):
        assert last_history(document).history_user == buyer
    assert f"split: 1 to {split}" in last_history(so_line).history_change_reason
    assert check_consistency() == []

    # The demand the PO line covers is now 2: more is refused, the split line has its own.
    with pytest.raises(ValidationRefused) as refused:
        edit(world, po_line, quantity=Decimal("3"))
    assert refused.value.message == ABOVE_DEMAND.format(
        quantity=Decimal("3"), open=Decimal("2.000"), so_line=so_line
    )
    orders_progress(actor=world.users["manager"], sales_order=order)
    split.refresh_from_db()
    assert split.status == LineStatus.AWAITING_SUPPLY
    assert SupplyOrder.objects.get(sales_order_line=split).quantity == Decimal("1.000")
    assert check_consistency() == []


def test_the_note_to_the_supplier_is_kept_with_its_author(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    purchase_order = po_line.purchase_order

    purchase_order_note_set(
        actor=world.users["buyer"], purchase_order=purchase_order, note=" Deliver to dock 4 "
    )

    purchase_order.refresh_from_db()
    assert purchase_order.supplier_note == "Deliver to dock 4"
    record = last_history(purchase_order)
    assert (record.history_user, record.history_change_reason) == (
        world.users["buyer"],
        "note to the supplier set",
    )


def test_invalid_line_edits_are_refused(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "3"), approve=False)
    so_line = po_line.sales_order_line
    before = snapshot()
    cases = [
        (
            {"quantity": Decimal("4")},
            ABOVE_DEMAND.format(quantity=Decimal("4"), open=Decimal("3.000"), so_line=so_line),
        ),
        ({"quantity": Decimal("0")}, "Quantity must be greater than zero."),
        (
            {"promised_date": timezone.localdate() - timedelta(days=1)},
            PROMISED_IN_PAST,
        ),
        ({"unit_price": Decimal("-1")}, "Unit price must be between 0 and 999,999,999,999.99."),
        ({}, "Nothing was changed."),
    ]
    for values, message in cases:
        with pytest.raises(ValidationRefused) as refused:
            edit(world, po_line, **values)
        assert refused.value.message == message
    assert snapshot() == before
    po_line.refresh_from_db()
    assert (po_line.quantity, po_line.unit_price) == (Decimal("3.000"), Decimal("39800.00"))


def test_a_submitted_po_is_not_edited(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    buyer = world.users["buyer"]
    purchase_order = purchase_order_submit(actor=buyer, purchase_order=po_line.purchase_order)
    before = snapshot()
    message = NOT_DRAFT.format(po=purchase_order, status="Pending Approval")

    with pytest.raises(TransitionRefused) as refused:
        edit(world, po_line, unit_price=Decimal("1.00"))
    assert refused.value.message == message
    with pytest.raises(TransitionRefused) as refused:
        purchase_order_note_set(actor=buyer, purchase_order=purchase_order, note="late note")
    assert refused.value.message == message
    assert snapshot() == before
    purchase_order.refresh_from_db()
    assert purchase_order.supplier_note == ""


@pytest.mark.parametrize("username", ["clerk", "manager", "receiver"])
def test_a_role_without_the_right_cannot_edit(world, drive_to_po, username):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    user = world.users[username]
    before = snapshot()

    with pytest.raises(PermissionRefused) as refused:
        edit(world, po_line, actor=user, unit_price=Decimal("1.00"))
    assert refused.value.message == f"{user} is not allowed to change purchase orders."
    with pytest.raises(PermissionRefused):
        purchase_order_note_set(actor=user, purchase_order=po_line.purchase_order, note="x")
    assert snapshot() == before


def test_a_buyer_of_another_unit_cannot_edit(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    stranger = unit_user(world, "eu-buyer", "Buyer")
    before = snapshot()

    with pytest.raises(PermissionRefused) as refused:
        edit(world, po_line, actor=stranger, unit_price=Decimal("1.00"))
    assert refused.value.message == NOT_YOUR_UNIT.format(actor=stranger)
    assert snapshot() == before
