"""Un-release of one line of a shipment: the line goes back to Awaiting Shipping with its
reservation, the other lines ship without it, and the last line takes the shipment."""

from decimal import Decimal

import pytest

from b2b_portal.errors import PermissionRefused, ValidationRefused
from inventory.models import InventoryTransaction
from invoicing.models import ARInvoiceLine
from invoicing.services import autoinvoice_import
from orchestration.consistency import check_consistency
from orchestration.peg_trace import peg_trace
from orders.models import LineStatus, SalesOrderLine
from shipping.corrections import shipment_line_unrelease
from shipping.exceptions import ShipmentNotCorrectable
from shipping.models import ShipmentStatus
from shipping.services import shipment_ship_confirm
from tests.helpers import on_hand, receive, release, snapshot, unit_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_lines(world, drive_to_po):
    """One order of two server lines (2 and 1), received in full and released together:
    its shipment of two lines."""
    _, po_lines = drive_to_po(("SRV-DL380-G11", "2"), ("SRV-DL380-G11", "1"))
    for po_line in po_lines:
        receive(world, po_line, po_line.quantity)
    shipment = release(world).shipments.get()
    assert shipment.lines.count() == 2
    return shipment


def transactions_sum(world) -> Decimal:
    moved = InventoryTransaction.objects.filter(item=world.items["SRV-DL380-G11"])
    return sum(moved.values_list("quantity", flat=True), start=Decimal(0))


def test_one_line_unreleased_keeps_its_reservation_and_the_other_ships(world, two_lines):
    shipper = world.users["shipper"]
    first, second = two_lines.lines.order_by("pk")

    shipment_line_unrelease(actor=shipper, shipment_line=first, reason="wrong rack")

    two_lines.refresh_from_db()
    first.refresh_from_db()
    assert (two_lines.status, first.status) == (ShipmentStatus.RELEASED, ShipmentStatus.UNRELEASED)
    assert two_lines.corrected_by is None
    record = first.history.order_by("-history_id").first()
    assert (record.history_user, record.history_change_reason) == (
        shipper,
        "un-released: wrong rack",
    )
    line = first.sales_order_line
    line.refresh_from_db()
    assert (line.status, line.reserved_quantity) == (LineStatus.AWAITING_SHIPPING, 2)
    assert on_hand(world) == (3, 3)
    assert check_consistency() == []

    shipment_ship_confirm(actor=shipper, shipment=two_lines)

    two_lines.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert two_lines.status == ShipmentStatus.SHIPPED
    assert (first.status, second.status) == (ShipmentStatus.UNRELEASED, ShipmentStatus.SHIPPED)
    line.refresh_from_db()
    assert (line.status, line.reserved_quantity) == (LineStatus.AWAITING_SHIPPING, 2)
    assert SalesOrderLine.objects.get(pk=second.sales_order_line_id).status == LineStatus.SHIPPED
    # Only the shipped line's 1 left: on-hand is still the sum of the transactions.
    assert on_hand(world) == (2, 2)
    assert transactions_sum(world) == 2
    assert check_consistency() == []
    # AutoInvoice bills what shipped, not the line left behind on the Shipped shipment.
    autoinvoice_import(actor=world.users["ar"])
    assert list(ARInvoiceLine.objects.values_list("shipment_line", flat=True)) == [second.pk]

    # The un-released line is released again on a new shipment, and ships.
    again = release(world).shipments.get(status=ShipmentStatus.RELEASED)
    assert [sl.sales_order_line_id for sl in again.lines.all()] == [line.pk]
    shipment_ship_confirm(actor=shipper, shipment=again)
    assert on_hand(world) == (0, 0)
    assert check_consistency() == []


def test_the_last_line_unreleased_takes_the_shipment(world, two_lines):
    shipper = world.users["shipper"]
    first, second = two_lines.lines.order_by("pk")
    shipment_line_unrelease(actor=shipper, shipment_line=first, reason="wrong rack")

    shipment_line_unrelease(actor=shipper, shipment_line=second, reason="customer waits")

    two_lines.refresh_from_db()
    assert two_lines.status == ShipmentStatus.UNRELEASED
    assert (two_lines.corrected_by, two_lines.correction_reason) == (shipper, "customer waits")
    assert set(two_lines.lines.values_list("status", flat=True)) == {ShipmentStatus.UNRELEASED}
    assert on_hand(world) == (3, 3)
    assert check_consistency() == []


def test_the_peg_trace_shows_a_line_unreleased_alone_with_who_and_why(world, two_lines):
    first = two_lines.lines.order_by("pk").first()
    shipment_line_unrelease(actor=world.users["shipper"], shipment_line=first, reason="wrong rack")

    stages = dict(peg_trace(SalesOrderLine.objects.get(pk=first.sales_order_line_id)).stages)

    [entry] = stages["Shipment"]
    assert (entry.number, entry.status) == (two_lines.number, "Un-released")
    assert entry.note.endswith("; line un-released: wrong rack by shipper")


def test_refused_without_a_reason_for_another_role_or_unit_or_once_shipped(world, two_lines):
    shipper = world.users["shipper"]
    first, second = two_lines.lines.order_by("pk")
    before = snapshot()
    with pytest.raises(ValidationRefused, match="Say why the shipment line is un-released"):
        shipment_line_unrelease(actor=shipper, shipment_line=first, reason=" ")
    with pytest.raises(PermissionRefused):
        shipment_line_unrelease(actor=world.users["ar"], shipment_line=first, reason="x")
    with pytest.raises(PermissionRefused):
        other_unit = unit_user(world, "eu_shipper", "Shipping Clerk")
        shipment_line_unrelease(actor=other_unit, shipment_line=first, reason="x")
    assert snapshot() == before

    shipment_line_unrelease(actor=shipper, shipment_line=first, reason="wrong rack")
    before = snapshot()
    with pytest.raises(ShipmentNotCorrectable, match="only a Released shipment line can be"):
        shipment_line_unrelease(actor=shipper, shipment_line=first, reason="again")
    assert snapshot() == before

    shipment_ship_confirm(actor=shipper, shipment=two_lines)
    before = snapshot()
    with pytest.raises(ShipmentNotCorrectable, match="only a Released shipment can be un-released"):
        shipment_line_unrelease(actor=shipper, shipment_line=second, reason="too late")
    assert snapshot() == before
