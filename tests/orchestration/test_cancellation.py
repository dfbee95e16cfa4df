"""Acceptance 1 of change management: cancelling a line at each stage leaves every
document of its chain consistent, nothing live pegged to it, and on-hand right."""

from decimal import Decimal

import pytest

from b2b_portal.errors import ValidationRefused
from inventory.models import OnHandBalance, Reservation
from orchestration.consistency import check_consistency
from orchestration.exceptions import LineNotCancellable
from orchestration.models import BusinessException, ExceptionKind, ExceptionStatus, Resolution
from orchestration.services import (
    exception_cancel_with_supplier,
    exception_keep_as_stock,
    sales_order_cancel,
)
from orders.models import LineStatus
from procurement.models import (
    POLineStatus,
    POStatus,
    PurchaseOrderLine,
    RequisitionLine,
    RequisitionStatus,
    SupplyOrder,
    SupplyStatus,
)
from procurement.services import orders_progress, supply_orders_generate
from shipping.models import Shipment
from shipping.services import shipment_ship_confirm
from tests.helpers import cancel, place_order, receive, release, snapshot

pytestmark = pytest.mark.django_db


def on_hand(line):
    balance = OnHandBalance.objects.filter(item=line.item).first()
    return (balance.quantity, balance.reserved_quantity) if balance else (0, 0)


def assert_nothing_live_pegged_to(line):
    line.refresh_from_db()
    assert line.status == LineStatus.CANCELLED
    assert (
        not PurchaseOrderLine.objects.filter(sales_order_line=line)
        .exclude(status=POLineStatus.CANCELLED)
        .exists()
    )
    assert (
        not RequisitionLine.objects.filter(sales_order_line=line)
        .exclude(status=RequisitionStatus.CANCELLED)
        .exists()
    )
    assert (
        not SupplyOrder.objects.filter(sales_order_line=line)
        .exclude(status=SupplyStatus.CANCELLED)
        .exists()
    )
    assert not Reservation.objects.filter(sales_order_line=line, quantity__gt=0).exists()
    assert line.reserved_quantity == 0
    assert check_consistency() == []


def test_cancel_before_any_supply(world):
    line = place_order(world, ("SRV-DL380-G11", "2")).lines.get()
    cancel(world, line)
    assert_nothing_live_pegged_to(line)
    assert line.cancel_reason == "customer changed their mind"
    assert line.history.latest().history_user.username == "clerk"


def test_cancel_with_an_open_supply_order(world):
    order = place_order(world, ("SRV-DL380-G11", "2"))
    orders_progress(actor=world.users["manager"], sales_order=order)
    line = order.lines.get()
    cancel(world, line)
    assert_nothing_live_pegged_to(line)
    assert SupplyOrder.objects.get().status == SupplyStatus.CANCELLED


def test_cancel_with_a_requisition_only(world):
    order = place_order(world, ("SRV-DL380-G11", "2"))
    orders_progress(actor=world.users["manager"], sales_order=order)
    supply_orders_generate(actor=world.users["buyer"])
    line = order.lines.get()
    cancel(world, line)
    assert_nothing_live_pegged_to(line)
    assert RequisitionLine.objects.get().status == RequisitionStatus.CANCELLED
    # Nothing is left for AutoCreate to order.
    assert not RequisitionLine.objects.filter(status=RequisitionStatus.APPROVED).exists()


def test_cancel_with_a_po_line_not_yet_sent(world, drive_to_po):
    _, [kept_po_line, po_line] = drive_to_po(
        ("SRV-DL380-G11", "1"), ("SRV-DL380-G11", "2"), approve=False
    )
    line = po_line.sales_order_line
    cancel(world, line)
    assert_nothing_live_pegged_to(line)
    po_line.refresh_from_db()
    assert po_line.status == POLineStatus.CANCELLED
    assert po_line.purchase_order.status == POStatus.DRAFT  # one live line is left
    cancel(world, kept_po_line.sales_order_line)
    kept_po_line.refresh_from_db()
    assert kept_po_line.purchase_order.status == POStatus.CANCELLED


def test_cancel_once_the_supplier_has_the_po_asks_the_buyer(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    line = order.lines.get()
    cancel(world, line)
    assert_nothing_live_pegged_to(line)
    po_line.refresh_from_db()
    assert (po_line.status, po_line.sales_order_line, po_line.unpegged_from) == (
        POLineStatus.OPEN,
        None,
        line,
    )
    exception = BusinessException.objects.get()
    assert (exception.kind, exception.status, exception.quantity) == (
        ExceptionKind.SUPPLIER_CANCELLATION,
        ExceptionStatus.OPEN,
        Decimal("2"),
    )
    assert exception.owner_role == "Buyer"

    exception_cancel_with_supplier(
        actor=world.users["buyer"], exception=exception, reason="supplier confirmed by phone"
    )
    po_line.refresh_from_db()
    exception.refresh_from_db()
    assert po_line.status == POLineStatus.CANCELLED
    assert po_line.purchase_order.status == POStatus.CANCELLED
    assert (exception.status, exception.resolution, exception.resolved_by.username) == (
        ExceptionStatus.RESOLVED,
        Resolution.CANCELLED_WITH_SUPPLIER,
        "buyer",
    )
    assert exception.resolution_reason == "supplier confirmed by phone"


def test_kept_goods_arrive_as_ordinary_stock(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    line = order.lines.get()
    cancel(world, line)
    exception_keep_as_stock(
        actor=world.users["buyer"], exception=BusinessException.objects.get(), reason="resell"
    )
    receive(world, po_line, "2")
    assert on_hand(line) == (Decimal("2"), Decimal("0"))
    assert_nothing_live_pegged_to(line)


def test_cancel_after_receipt_releases_the_reservation_to_stock(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    receive(world, po_line, "2")
    line = order.lines.get()
    cancel(world, line)
    assert_nothing_live_pegged_to(line)
    assert on_hand(line) == (Decimal("2"), Decimal("0"))
    po_line.refresh_from_db()
    assert po_line.status == POLineStatus.CLOSED_FOR_RECEIVING
    assert not BusinessException.objects.exists()  # nothing is left with the supplier


def test_cancel_after_partial_receipt_releases_part_and_asks_about_the_rest(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "3"))
    receive(world, po_line, "1")
    line = order.lines.get()
    cancel(world, line)
    assert_nothing_live_pegged_to(line)
    assert on_hand(line) == (Decimal("1"), Decimal("0"))
    exception = BusinessException.objects.get()
    assert exception.quantity == Decimal("2")
    exception_cancel_with_supplier(actor=world.users["buyer"], exception=exception, reason="ok")
    po_line.refresh_from_db()
    assert (po_line.status, po_line.quantity) == (POLineStatus.CLOSED_FOR_RECEIVING, 1)
    assert po_line.purchase_order.status == POStatus.CLOSED_FOR_RECEIVING


def test_a_released_or_shipped_line_cannot_be_cancelled(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "1"))
    receive(world, po_line, "1")
    release(world)
    line = order.lines.get()
    before = snapshot()
    with pytest.raises(LineNotCancellable, match="released on shipment"):
        cancel(world, line)
    assert snapshot() == before
    shipment_ship_confirm(actor=world.users["shipper"], shipment=Shipment.objects.get())
    before = snapshot()
    with pytest.raises(LineNotCancellable, match="a shipped line cannot be cancelled"):
        cancel(world, line)
    assert snapshot() == before


def test_a_reason_is_required(world):
    line = place_order(world, ("SRV-DL380-G11", "1")).lines.get()
    with pytest.raises(ValidationRefused, match="Say why"):
        cancel(world, line, reason="  ")
    line.refresh_from_db()
    assert line.status == LineStatus.BOOKED


def test_cancelling_an_order_cancels_each_line_by_its_stage(world, drive_to_po):
    order, [po_line, _] = drive_to_po(("SRV-DL380-G11", "1"), ("STO-A400-96T", "1"))
    receive(world, po_line, "1")
    lines = sales_order_cancel(actor=world.users["clerk"], sales_order=order, reason="lost deal")
    assert len(lines) == 2
    for line in lines:
        assert_nothing_live_pegged_to(line)
    assert order.status == LineStatus.CANCELLED
    assert BusinessException.objects.count() == 1  # the storage array the supplier still has
