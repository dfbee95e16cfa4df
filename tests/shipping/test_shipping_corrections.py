"""Un-release, partial ship confirm and shipment reversal: each leaves the reservation and
the stock consistent (on-hand = the sum of the transactions), with who and why in history."""

from decimal import Decimal

import pytest

from b2b_portal.errors import PermissionRefused, ValidationRefused
from inventory.models import InventoryTransaction, Reservation, TransactionType
from invoicing.models import ARInvoiceLine, CreditDisposition
from invoicing.services import ar_invoice_complete, autoinvoice_import
from invoicing.services.ar_corrections import ar_credit_memo_create, whole_invoice_credit
from orchestration.consistency import check_consistency
from orchestration.peg_trace import peg_trace
from orchestration.services import sales_order_line_cancel
from orders.models import LineStatus, SalesOrderLine
from shipping.corrections import pick_wave_unrelease, shipment_reverse, shipment_unrelease
from shipping.exceptions import ShipmentNotCorrectable
from shipping.models import ShipmentStatus
from shipping.services import shipment_ship_confirm
from tests.helpers import on_hand, release, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(release_received):
    """One line of 3 servers, received in full and released: its shipment."""
    return release_received("3")


def ship_two_of_three(world, released):
    """Ship 2 of the released 3: the shipment line and its sales order line."""
    shipment_line = released.lines.get()
    shipment_ship_confirm(
        actor=world.users["shipper"], shipment=released, quantities={shipment_line.pk: Decimal(2)}
    )
    return shipment_line, shipment_line.sales_order_line


def last_history(obj):
    return obj.history.order_by("-history_id").first()


def transactions_sum(world) -> Decimal:
    moved = InventoryTransaction.objects.filter(item=world.items["SRV-DL380-G11"])
    return sum(moved.values_list("quantity", flat=True), start=Decimal(0))


def test_unrelease_keeps_the_reservation_and_the_line_can_then_be_cancelled(world, released):
    shipper = world.users["shipper"]
    line = released.lines.get().sales_order_line

    shipment_unrelease(actor=shipper, shipment=released, reason="released too early")

    released.refresh_from_db()
    shipment_line = released.lines.get()
    assert (released.status, shipment_line.status) == (ShipmentStatus.UNRELEASED,) * 2
    assert (released.corrected_by, released.correction_reason) == (shipper, "released too early")
    record = last_history(released)
    assert (record.history_user, record.history_change_reason) == (
        shipper,
        "un-released: released too early",
    )
    line.refresh_from_db()
    assert (line.status, line.reserved_quantity) == (LineStatus.AWAITING_SHIPPING, 3)
    assert Reservation.objects.get(sales_order_line=line).quantity == 3
    assert on_hand(world) == (3, 3)

    sales_order_line_cancel(actor=world.users["clerk"], sales_order_line=line, reason="no longer")
    line.refresh_from_db()
    assert (line.status, line.reserved_quantity) == (LineStatus.CANCELLED, 0)
    # Nothing lost: the stock is ordinary on-hand again, and the sum of its transactions.
    assert on_hand(world) == (3, 0)
    assert transactions_sum(world) == 3
    assert check_consistency() == []


def test_an_unreleased_line_can_be_released_again_and_shipped(world, released):
    shipment_unrelease(actor=world.users["shipper"], shipment=released, reason="wrong wave")
    again = release(world).shipments.get()
    assert again.pk != released.pk
    shipment_ship_confirm(actor=world.users["shipper"], shipment=again)
    assert again.lines.get().sales_order_line.status == LineStatus.SHIPPED
    assert on_hand(world) == (0, 0)
    assert check_consistency() == []


def test_unrelease_is_refused_once_shipped_without_a_reason_or_for_another_role(world, released):
    shipper = world.users["shipper"]
    before = snapshot()
    with pytest.raises(ValidationRefused, match="Say why the shipment is un-released"):
        shipment_unrelease(actor=shipper, shipment=released, reason=" ")
    with pytest.raises(PermissionRefused):
        shipment_unrelease(actor=world.users["ar"], shipment=released, reason="x")
    assert snapshot() == before
    shipment_ship_confirm(actor=shipper, shipment=released)
    before = snapshot()
    with pytest.raises(ShipmentNotCorrectable, match="only a Released shipment can be un-released"):
        shipment_unrelease(actor=shipper, shipment=released, reason="too late")
    assert snapshot() == before


def test_pick_wave_unrelease_takes_every_released_shipment_then_refuses(world, released):
    wave = released.pick_wave
    [shipment] = pick_wave_unrelease(actor=world.users["shipper"], pick_wave=wave, reason="redo")
    assert shipment.status == ShipmentStatus.UNRELEASED
    before = snapshot()
    with pytest.raises(ShipmentNotCorrectable, match="no Released shipment left"):
        pick_wave_unrelease(actor=world.users["shipper"], pick_wave=wave, reason="redo")
    assert snapshot() == before


def test_shipping_two_of_three_splits_off_a_reserved_line_of_one(world, released):
    shipment_line, line = ship_two_of_three(world, released)

    line.refresh_from_db()
    shipment_line.refresh_from_db()
    assert (line.status, line.quantity, line.shipped_quantity, line.reserved_quantity) == (
        LineStatus.SHIPPED,
        2,
        2,
        0,
    )
    assert (shipment_line.quantity, shipment_line.released_quantity) == (2, 3)
    split = line.split_lines.get()
    assert (split.status, split.quantity, split.reserved_quantity) == (
        LineStatus.AWAITING_SHIPPING,
        1,
        1,
    )
    assert Reservation.objects.get(sales_order_line=split).quantity == 1
    assert last_history(line).history_change_reason == (
        f"shipped 2 on {released}; 1 split to {split}"
    )
    assert on_hand(world) == (1, 1)
    assert transactions_sum(world) == 1
    assert check_consistency() == []
    # AR bills what shipped; the split ships on its own later.
    autoinvoice_import(actor=world.users["ar"])
    assert ARInvoiceLine.objects.get(sales_order_line=line).quantity == 2
    next_shipment = release(world).shipments.get()
    assert next_shipment.lines.get().sales_order_line == split


@pytest.mark.parametrize("quantity", ["0", "4"])
def test_ship_confirm_refuses_nothing_or_more_than_released(world, released, quantity):
    shipment_line = released.lines.get()
    before = snapshot()
    with pytest.raises(ValidationRefused, match=r"Ship more than zero and at most the 3\.000"):
        shipment_ship_confirm(
            actor=world.users["shipper"],
            shipment=released,
            quantities={shipment_line.pk: Decimal(quantity)},
        )
    assert snapshot() == before


def test_reverse_puts_the_stock_back_reserved_and_shipping_again_bills_once(world, released):
    shipper = world.users["shipper"]
    line = released.lines.get().sales_order_line
    shipment_ship_confirm(actor=shipper, shipment=released)

    shipment_reverse(actor=shipper, shipment=released, reason="truck never left")

    released.refresh_from_db()
    line.refresh_from_db()
    assert (released.status, released.lines.get().status) == (ShipmentStatus.REVERSED,) * 2
    assert last_history(released).history_user == shipper
    assert last_history(released).history_change_reason == "reversed: truck never left"
    assert (line.status, line.shipped_quantity, line.reserved_quantity) == (
        LineStatus.AWAITING_SHIPPING,
        0,
        3,
    )
    assert Reservation.objects.get(sales_order_line=line).quantity == 3
    assert on_hand(world) == (3, 3)
    back = InventoryTransaction.objects.get(transaction_type=TransactionType.SHIPMENT_REVERSAL)
    assert (back.quantity, back.source_reference, back.created_by) == (3, released.number, shipper)
    assert transactions_sum(world) == 3
    assert check_consistency() == []
    # Nothing of the reversed shipment is billed.
    autoinvoice_import(actor=world.users["ar"])
    assert not ARInvoiceLine.objects.exists()

    again = release(world).shipments.get()
    shipment_ship_confirm(actor=shipper, shipment=again)
    autoinvoice_import(actor=world.users["ar"])
    autoinvoice_import(actor=world.users["ar"])
    billed = ARInvoiceLine.objects.get(sales_order_line=line)
    assert (billed.shipment_line.shipment, billed.quantity) == (again, 3)
    line.refresh_from_db()
    assert (line.status, line.invoiced_quantity) == (LineStatus.BILLED, 3)
    assert check_consistency() == []


def test_reverse_is_refused_before_shipping_and_after_invoicing(world, released):
    shipper = world.users["shipper"]
    before = snapshot()
    with pytest.raises(ShipmentNotCorrectable, match="only a Shipped shipment can be reversed"):
        shipment_reverse(actor=shipper, shipment=released, reason="x")
    assert snapshot() == before
    shipment_ship_confirm(actor=shipper, shipment=released)
    before = snapshot()
    with pytest.raises(ValidationRefused, match="Say why the shipment is reversed"):
        shipment_reverse(actor=shipper, shipment=released, reason="")
    with pytest.raises(PermissionRefused):
        shipment_reverse(actor=world.users["clerk"], shipment=released, reason="x")
    assert snapshot() == before
    autoinvoice_import(actor=world.users["ar"])
    invoice = ARInvoiceLine.objects.get().invoice
    before = snapshot()
    with pytest.raises(ShipmentNotCorrectable) as refused:
        shipment_reverse(actor=shipper, shipment=released, reason="customer refused it")
    assert refused.value.message == (
        f"{released} is already on AR invoice {invoice.number}: an AR credit memo for it is "
        "needed before the shipment can be reversed."
    )
    assert snapshot() == before


def test_reversing_a_partial_shipment_keeps_the_split_line_apart(world, released):
    _, line = ship_two_of_three(world, released)
    shipment_reverse(actor=world.users["shipper"], shipment=released, reason="wrong pallet")
    line.refresh_from_db()
    split = line.split_lines.get()
    assert (line.status, line.quantity, line.reserved_quantity) == (
        LineStatus.AWAITING_SHIPPING,
        2,
        2,
    )
    assert (split.status, split.reserved_quantity) == (LineStatus.AWAITING_SHIPPING, 1)
    assert on_hand(world) == (3, 3)
    assert check_consistency() == []


def test_the_peg_trace_shows_unreleased_and_reversed_shipments_with_who_and_why(world, released):
    shipper = world.users["shipper"]
    line = released.lines.get().sales_order_line
    shipment_unrelease(actor=shipper, shipment=released, reason="wrong dock")
    again = release(world).shipments.get()
    shipment_ship_confirm(actor=shipper, shipment=again)
    shipment_reverse(actor=shipper, shipment=again, reason="truck never left")

    stages = dict(peg_trace(SalesOrderLine.objects.get(pk=line.pk)).stages)

    first, second = stages["Shipment"]
    assert (first.number, first.status) == (released.number, "Un-released")
    assert first.note.endswith("; Un-released by shipper, wrong dock")
    assert (second.number, second.status) == (again.number, "Reversed")
    assert second.note.endswith("; Reversed by shipper, truck never left")
    assert [row.history_change_reason for row in second.changes][-1] == "reversed: truck never left"


def test_the_peg_trace_of_a_partial_ship_rest_line_shows_the_po_it_was_received_on(world, released):
    _, line = ship_two_of_three(world, released)
    split = SalesOrderLine.objects.get(split_from=line)
    po_line = line.purchase_order_lines.get()

    stages = dict(peg_trace(split).stages)

    [entry] = stages["Purchase order"]
    assert entry.number == str(po_line)
    assert entry.note.endswith(f"; Supplied {line}, which this line was split from")
    assert entry.history  # the PO's own history rows
    own = dict(peg_trace(SalesOrderLine.objects.get(pk=line.pk)).stages)["Purchase order"]
    assert "split from" not in own[0].note


def test_check_consistency_finds_stock_a_reversal_left_behind(world, released):
    shipment_ship_confirm(actor=world.users["shipper"], shipment=released)
    shipment_reverse(actor=world.users["shipper"], shipment=released, reason="mistake")
    line = released.lines.get().sales_order_line
    # A reversal that put back 1 of the 3 it shipped (written past the services).
    InventoryTransaction.objects.filter(transaction_type=TransactionType.SHIPMENT_REVERSAL).update(
        quantity=1
    )
    assert f"{line}: reversed shipments took back 1.000 of the 3.000 they shipped" in " ".join(
        check_consistency()
    )


def test_after_a_whole_credit_memo_the_shipment_can_be_reversed(world, released):
    shipment_ship_confirm(actor=world.users["shipper"], shipment=released)
    autoinvoice_import(actor=world.users["ar"])
    invoice = ar_invoice_complete(
        actor=world.users["ar"], invoice=ARInvoiceLine.objects.get().invoice
    )
    ar_credit_memo_create(
        actor=world.users["ar"],
        invoice=invoice,
        lines=whole_invoice_credit(invoice, CreditDisposition.REINVOICE),
        reason="the goods never left",
    )

    shipment_reverse(actor=world.users["shipper"], shipment=released, reason="never left")

    line = released.lines.get().sales_order_line
    line.refresh_from_db()
    assert (line.status, line.shipped_quantity, line.reserved_quantity) == (
        LineStatus.AWAITING_SHIPPING,
        0,
        3,
    )
    assert on_hand(world) == (3, 3)
    assert check_consistency() == []
