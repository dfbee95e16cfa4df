"""One expected date (docs/supplier-collaboration.md, "Dates"): the PO line's stored
``expected_date`` after an acknowledgement, ship notices and receipts, the jeopardy of the
pegged order line following it with history naming who; and a receipt on the PO itself
fills the ship notices on the way, earliest arrival first, receiving those it covers."""

from decimal import Decimal

import pytest

from procurement.models import POLineStatus, PurchaseOrderLine, SourcingRule
from procurement.services.jeopardy import supply_expected_dates
from receiving.services import ReceiptLineInput, receipt_create
from suppliers.models import AcknowledgementKind, ShipNotice, ShipNoticeLine, ShipNoticeStatus
from suppliers.selectors import in_transit
from suppliers.services import (
    ShipNoticeLineInput,
    line_acknowledge,
    ship_notice_create,
    ship_notice_receive,
)
from tests.receiving.support import fresh, pegged_order, queries_of
from tests.suppliers.conftest import in_days, jeopardy, to_approved_po

pytestmark = pytest.mark.django_db


def _ship(world, today, shipped: dict, *, arrival_days: int) -> ShipNotice:
    """A ship notice of ``shipped`` (PO line: quantity), arriving in so many days."""
    [purchase_order] = {po_line.purchase_order for po_line in shipped}
    return ship_notice_create(
        actor=world.users["supplier"],
        purchase_order=purchase_order,
        ship_date=today,
        expected_arrival=in_days(today, arrival_days),
        carrier="DHL",
        tracking_number=f"JD{arrival_days}",
        lines=[
            ShipNoticeLineInput(purchase_order_line=po_line, quantity=Decimal(quantity))
            for po_line, quantity in shipped.items()
        ],
    )


def _receive(world, received: dict, ship_notice=None):
    """A receipt of ``received`` (PO line: quantity), from ``ship_notice`` or on the PO."""
    lines = [
        ReceiptLineInput(purchase_order_line=po_line, quantity=Decimal(quantity))
        for po_line, quantity in received.items()
    ]
    if ship_notice is not None:
        return ship_notice_receive(
            actor=world.users["receiver"], ship_notice=ship_notice, lines=lines
        )
    [purchase_order] = {po_line.purchase_order for po_line in received}
    return receipt_create(actor=world.users["receiver"], purchase_order=purchase_order, lines=lines)


def _expected(po_line):
    """The stored expected date and who wrote it last, why."""
    po_line.refresh_from_db()
    record = po_line.history.order_by("-history_id").first()
    return po_line.expected_date, record.history_user.username, record.history_change_reason


def _notices(*notices):
    """Each notice's status and, per line, what was received of what it shipped."""
    for notice in notices:
        notice.refresh_from_db()
    lines = ShipNoticeLine.objects.filter(ship_notice__in=notices).order_by("pk")
    return [notice.status for notice in notices], [
        (line.received_quantity, line.quantity) for line in lines
    ]


def test_the_stored_date_follows_the_acknowledgement_the_notices_and_the_receipts(
    world, today, line_requested_in_3_days
):
    line = line_requested_in_3_days  # 4 ordered, ships in 10 days
    SourcingRule.objects.filter(item=line.item, rank=1).update(lead_time_days=14)
    po_line = to_approved_po(world, line)
    assert (po_line.expected_date, supply_expected_dates([po_line])[po_line.pk]) == (
        None,
        in_days(today, 14),
    )
    assert jeopardy(line)[:2] == (True, 4)

    line_acknowledge(
        actor=world.users["supplier"],
        purchase_order_line=po_line,
        kind=AcknowledgementKind.NEW_DATE,
        promised_date=in_days(today, 9),
    )
    assert _expected(po_line)[:2] == (in_days(today, 9), "supplier")
    assert jeopardy(line)[:3] == (False, 0, "supplier")

    # 2 of the 4 shipped, arriving in 12 days; the other 2 still as promised (9): 12.
    first = _ship(world, today, {po_line: "2"}, arrival_days=12)
    assert _expected(po_line)[:2] == (in_days(today, 12), "supplier")
    assert jeopardy(line)[:3] == (True, 2, "supplier")
    # The other 2 shipped too, arriving in 8 days: all 4 on the way, the latest in 12.
    second = _ship(world, today, {po_line: "2"}, arrival_days=8)
    assert _expected(po_line)[0] == in_days(today, 12)

    # The first notice arrives: what is still on the way is the second, in 8 days.
    receipt = _receive(world, {po_line: "2"}, ship_notice=first)
    expected, who, why = _expected(po_line)
    assert (expected, who, why) == (
        in_days(today, 8),
        "receiver",
        f"expected {expected}: received on {receipt}",
    )
    at_risk, days, who, why = jeopardy(line)
    assert (at_risk, days, who) == (False, 0, "receiver")
    assert why == f"received on {receipt}: supply on time"
    assert _notices(first, second) == (
        [ShipNoticeStatus.RECEIVED, ShipNoticeStatus.SHIPPED],
        [(Decimal("2"), Decimal("2")), (Decimal("0"), Decimal("2"))],
    )

    # The rest received on the PO itself (the Receive page): the second notice is received
    # too; the line, closed, keeps the date it was last expected.
    rest = _receive(world, {po_line: "2"})
    po_line.refresh_from_db()
    assert po_line.status == POLineStatus.CLOSED_FOR_RECEIVING
    assert po_line.expected_date == in_days(today, 8)
    assert _notices(first, second)[0] == [ShipNoticeStatus.RECEIVED] * 2
    assert (first.receipt, second.receipt) == (receipt, None)
    record = second.history.first()
    assert (record.history_user.username, record.history_change_reason) == (
        "receiver",
        f"covered by {rest}",
    )
    assert jeopardy(line)[:2] == (False, 0)


def test_a_receipt_on_the_po_fills_the_notices_earliest_arrival_first(world, drive_to_po, today):
    _order, [po_line] = drive_to_po(("SRV-DL380-G11", "4"))
    later = _ship(world, today, {po_line: "2"}, arrival_days=6)
    sooner = _ship(world, today, {po_line: "2"}, arrival_days=3)
    assert in_transit([po_line]) == {po_line.pk: Decimal("4")}

    # One of the two arriving soonest: that notice stays Shipped, one less on the way.
    _receive(world, {po_line: "1"})
    assert _notices(later, sooner) == (
        [ShipNoticeStatus.SHIPPED, ShipNoticeStatus.SHIPPED],
        [(Decimal("0"), Decimal("2")), (Decimal("1"), Decimal("2"))],
    )
    assert in_transit([po_line]) == {po_line.pk: Decimal("3")}
    assert _expected(po_line)[:2] == (in_days(today, 6), "receiver")

    # Two more: the soonest is full (Received), the other one has 1 of its 2.
    _receive(world, {po_line: "2"})
    assert _notices(later, sooner) == (
        [ShipNoticeStatus.SHIPPED, ShipNoticeStatus.RECEIVED],
        [(Decimal("1"), Decimal("2")), (Decimal("2"), Decimal("2"))],
    )
    assert in_transit([po_line]) == {po_line.pk: Decimal("1")}
    _receive(world, {po_line: "1"})
    assert _notices(later)[0] == [ShipNoticeStatus.RECEIVED]


def test_a_notice_received_short_is_received_and_its_rest_no_longer_on_the_way(
    world, drive_to_po, today
):
    _order, [first, second] = drive_to_po(("SRV-DL380-G11", "4"), ("SRV-DL380-G11", "2"))
    notice = _ship(world, today, {first: "3", second: "2"}, arrival_days=12)
    assert _expected(second)[0] == in_days(today, 12)

    # Two of the first line arrived, nothing of the second: the notice is received.
    receipt = _receive(world, {first: "2"}, ship_notice=notice)
    assert _notices(notice) == (
        [ShipNoticeStatus.RECEIVED],
        [(Decimal("2"), Decimal("3")), (Decimal("0"), Decimal("2"))],
    )
    assert notice.receipt == receipt
    assert in_transit([first, second]) == {}
    for po_line in (first, second):
        expected, who, _why = _expected(po_line)
        assert (expected, who) == (po_line.promised_date, "receiver")


def _receive_one_of_each(world, po_lines):
    return receipt_create(
        actor=fresh(world.users["receiver"]),  # its permission look-up in every count
        purchase_order=po_lines[0].purchase_order,
        lines=[ReceiptLineInput(purchase_order_line=line, quantity=1) for line in po_lines],
    )


def test_a_receipt_covering_notices_costs_the_statements_of_one_of_5(world, today):
    """Filling the notices is set-based: as many statements for 20 lines as for 5."""
    counts = []
    for count in (5, 20):
        _order, po_lines = pegged_order(world, count)
        notices = [
            _ship(world, today, dict.fromkeys(po_lines, "1"), arrival_days=days) for days in (3, 6)
        ]
        counts.append(queries_of(lambda po_lines=po_lines: _receive_one_of_each(world, po_lines)))
        assert _notices(*notices)[0] == [ShipNoticeStatus.RECEIVED, ShipNoticeStatus.SHIPPED]
        assert set(in_transit(po_lines).values()) == {Decimal("1")}
        lines = PurchaseOrderLine.objects.filter(pk__in=[line.pk for line in po_lines])
        assert set(lines.values_list("expected_date", flat=True)) == {in_days(today, 6)}
    assert counts[0] == counts[1], counts
