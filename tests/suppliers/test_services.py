"""Supplier collaboration's services (docs/supplier-collaboration.md): each kind of
acknowledgement and what it moves, ship notices within the open quantity, the supplier's
invoice as a draft AP invoice matched to the PO, and receiving a ship notice."""

from datetime import timedelta
from decimal import Decimal

import pytest

from b2b_portal.errors import ApplicationError, PermissionRefused
from catalog.models import BusinessUnit
from invoicing.models import APInvoice, APStatus
from invoicing.services import APLineInput
from procurement.models import POLineStatus, POStatus, SupplyStatus
from procurement.services.jeopardy import supply_expected_dates
from receiving.services import ReceiptLineInput
from suppliers.models import AcknowledgementKind, ShipNotice, ShipNoticeStatus
from suppliers.selectors import purchase_orders_of
from suppliers.services import (
    ShipNoticeLineInput,
    line_acknowledge,
    ship_notice_create,
    ship_notice_receive,
    supplier_contact_set,
    supplier_invoice_create,
)
from tests.factories import UserFactory
from tests.helpers import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def po_line(drive_to_po):
    _order, [po_line] = drive_to_po(("SRV-DL380-G11", "4"))
    return po_line


def _history(po_line):
    """Who wrote the PO line's latest history row, and why."""
    return (
        po_line.history.order_by("-history_id")
        .values_list("history_user__username", "history_change_reason")
        .first()
    )


def test_the_supplier_user_works_in_no_unit_and_sees_their_suppliers_approved_pos(
    world, po_line, drive_to_po
):
    """Every action below is so made by a user of no unit: the supplier's scoping lends
    the unit for the one call (b2b_portal.permissions.lent)."""
    supplier = world.users["supplier"]
    _order, [_unapproved] = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    assert not BusinessUnit.objects.filter(members=supplier).exists()
    assert list(purchase_orders_of(supplier)) == [po_line.purchase_order]
    assert not purchase_orders_of(world.users["buyer"]).exists()


def test_accepting_keeps_the_date(world, po_line):
    promised = po_line.promised_date
    ack = line_acknowledge(
        actor=world.users["supplier"],
        purchase_order_line=po_line,
        kind=AcknowledgementKind.ACCEPTED,
    )
    po_line.refresh_from_db()
    assert ack.kind == "ACCEPTED" and ack.acknowledged_by == world.users["supplier"]
    assert po_line.promised_date == promised
    assert ack.history.get().history_user == world.users["supplier"]


def test_a_new_date_moves_the_promised_date_with_history(world, po_line, today):
    new_date = today + timedelta(days=20)
    line_acknowledge(
        actor=world.users["supplier"],
        purchase_order_line=po_line,
        kind=AcknowledgementKind.NEW_DATE,
        promised_date=new_date,
        reason="factory backlog",
    )
    po_line.refresh_from_db()
    assert po_line.promised_date == new_date
    assert supply_expected_dates([po_line]) == {po_line.pk: new_date}
    user, reason = _history(po_line)
    assert user == "supplier"
    assert reason.startswith(f"expected {new_date:%Y-%m-%d}")


def test_backorder_of_part_moves_the_date_of_the_whole_line(world, po_line, today):
    later = today + timedelta(days=40)
    ack = line_acknowledge(
        actor=world.users["supplier"],
        purchase_order_line=po_line,
        kind=AcknowledgementKind.BACKORDER,
        promised_date=later,
        backordered_quantity=Decimal("1"),
    )
    po_line.refresh_from_db()
    assert ack.backordered_quantity == Decimal("1")
    assert po_line.promised_date == later


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "BACKORDER", "backordered_quantity": Decimal("4"), "days": 5}, "less than all"),
        ({"kind": "BACKORDER", "backordered_quantity": None, "days": 5}, "less than all"),
        ({"kind": "NEW_DATE", "days": None}, "Give the date"),
        ({"kind": "NEW_DATE", "days": -1}, "in the past"),
        ({"kind": "ACCEPTED", "days": 3}, "keeps the promised date"),
        ({"kind": "REJECTED", "days": None, "reason": " "}, "Say why"),
        ({"kind": "MAYBE", "days": None}, "is not an acknowledgement"),
    ],
)
def test_bad_acknowledgements_are_refused_and_change_nothing(
    world, po_line, today, kwargs, message
):
    days = kwargs.pop("days")
    before = snapshot()
    with pytest.raises(ApplicationError, match=message):
        line_acknowledge(
            actor=world.users["supplier"],
            purchase_order_line=po_line,
            promised_date=None if days is None else today + timedelta(days=days),
            **kwargs,
        )
    assert snapshot() == before


def test_rejection_cancels_the_line_on_the_suppliers_word_and_the_supply_waits_for_the_buyer(
    world, po_line
):
    line_acknowledge(
        actor=world.users["supplier"],
        purchase_order_line=po_line,
        kind=AcknowledgementKind.REJECTED,
        reason="end of life",
    )
    po_line.refresh_from_db()
    supply_order = po_line.sales_order_line.supply_orders.get()
    assert po_line.status == POLineStatus.CANCELLED
    assert po_line.cancel_reason.startswith("cancelled on the supplier's word")
    assert po_line.cancelled_by == world.users["supplier"]
    assert po_line.purchase_order.status == POStatus.CANCELLED
    assert supply_order.status == SupplyStatus.EXCEPTION and supply_order.awaits_buyer
    assert "end of life" in supply_order.exception_reason
    assert supply_order.history.first().history_user == world.users["supplier"]
    # The lent permission ended with the call.
    assert not world.users["supplier"].has_perm("procurement.change_purchaseorder")


def test_another_suppliers_po_and_other_roles_are_refused(world, po_line):
    other = UserFactory(username="contoso", role="Supplier")
    supplier_contact_set(actor=world.users["admin"], user=other, supplier=world.suppliers["S-200"])
    before = snapshot()
    for actor in (other, world.users["buyer"]):
        with pytest.raises(PermissionRefused):
            line_acknowledge(actor=actor, purchase_order_line=po_line, kind="ACCEPTED")
    assert snapshot() == before


def test_an_unapproved_po_is_not_the_suppliers_yet(world, drive_to_po):
    _order, [po_line] = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    with pytest.raises(PermissionRefused):
        line_acknowledge(
            actor=world.users["supplier"], purchase_order_line=po_line, kind="ACCEPTED"
        )


def _ship(world, po_line, quantity, today, *, arrival_days=6):
    return ship_notice_create(
        actor=world.users["supplier"],
        purchase_order=po_line.purchase_order,
        ship_date=today,
        expected_arrival=today + timedelta(days=arrival_days),
        carrier="UPS",
        tracking_number="1Z999",
        lines=[ShipNoticeLineInput(purchase_order_line=po_line, quantity=Decimal(quantity))],
    )


def test_a_ship_notice_moves_the_expected_date_to_its_arrival(world, po_line, today):
    notice = _ship(world, po_line, "4", today, arrival_days=12)
    po_line.refresh_from_db()
    assert notice.status == ShipNoticeStatus.SHIPPED and notice.number.startswith("ASN-")
    assert [(line.purchase_order_line, line.quantity) for line in notice.lines.all()] == [
        (po_line, Decimal("4"))
    ]
    assert supply_expected_dates([po_line]) == {po_line.pk: today + timedelta(days=12)}
    user, reason = _history(po_line)
    assert (user, reason.split(":")[0]) == (
        "supplier",
        f"expected {today + timedelta(days=12):%Y-%m-%d}",
    )


def test_ship_notices_ship_no_more_than_is_open_and_not_on_the_way(world, po_line, today):
    _ship(world, po_line, "3", today)
    before = snapshot()
    with pytest.raises(
        ApplicationError, match="4 open, 3 of it on ship notices already: 2 is too much"
    ):
        _ship(world, po_line, "2", today)
    with pytest.raises(ApplicationError, match="before the ship date"):
        _ship(world, po_line, "1", today, arrival_days=-1)
    with pytest.raises(ApplicationError, match="greater than zero"):
        _ship(world, po_line, "-1", today)
    assert snapshot() == before
    assert ShipNotice.objects.count() == 1
    _ship(world, po_line, "1", today)


def test_receiving_a_ship_notice_makes_the_receipt_and_links_it(world, po_line, today):
    notice = _ship(world, po_line, "3", today)
    receipt = ship_notice_receive(
        actor=world.users["receiver"],
        ship_notice=notice,
        lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=Decimal("3"))],
        packing_slip="PS-1",
    )
    notice.refresh_from_db()
    po_line.refresh_from_db()
    assert notice.status == ShipNoticeStatus.RECEIVED and notice.receipt == receipt
    assert po_line.received_quantity == Decimal("3")
    assert po_line.sales_order_line.reservation.quantity == Decimal("3")
    before = snapshot()
    with pytest.raises(ApplicationError, match="already received"):
        ship_notice_receive(
            actor=world.users["receiver"],
            ship_notice=notice,
            lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=Decimal("1"))],
        )
    assert snapshot() == before


def test_the_suppliers_invoice_becomes_a_draft_ap_invoice_matched_to_the_po(world, po_line, today):
    entry = supplier_invoice_create(
        actor=world.users["supplier"],
        purchase_order=po_line.purchase_order,
        supplier_invoice_number="NW-77",
        invoice_date=today,
        lines=[APLineInput(purchase_order_line=po_line, quantity=Decimal("4"))],
    )
    invoice = entry.ap_invoice
    assert APInvoice.objects.get() == invoice
    assert invoice.status == APStatus.DRAFT
    assert invoice.purchase_order == po_line.purchase_order
    assert invoice.supplier == world.suppliers["S-100"]
    assert invoice.created_by == world.users["supplier"] == entry.entered_by
    [line] = invoice.lines.all()
    assert (line.purchase_order_line, line.quantity, line.unit_price) == (
        po_line,
        Decimal("4"),
        po_line.unit_price,
    )
    before = snapshot()
    with pytest.raises(ApplicationError, match="NW-77"):
        supplier_invoice_create(
            actor=world.users["supplier"],
            purchase_order=po_line.purchase_order,
            supplier_invoice_number="NW-77",
            invoice_date=today,
            lines=[APLineInput(purchase_order_line=po_line, quantity=Decimal("1"))],
        )
    assert snapshot() == before
