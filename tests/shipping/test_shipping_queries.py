"""Pick release and ship confirm cost the same few statements whatever the number of lines:
shipments, shipment lines, reservations, balances and sales order lines are read, locked
and written as sets, never one line after another."""

from decimal import Decimal

import pytest

from inventory.models import InventoryTransaction, Reservation, TransactionType
from orders.models import LineStatus
from receiving.services import ReceiptLineInput, receipt_create
from shipping.models import ShipmentStatus
from shipping.services import pick_release, shipment_ship_confirm
from tests.helpers import history_users
from tests.receiving.support import fresh, pegged_order, queries_of

pytestmark = pytest.mark.django_db

# Statements of one pick release of one order, and of one ship confirm, whatever its size.
RELEASE_CEILING = 16
SHIP_CEILING = 40


def reserved_order(world, count: int):
    """An order of ``count`` lines of two units, each of its own item, received in full."""
    order, po_lines = pegged_order(world, count)
    receipt_create(
        actor=world.users["receiver"],
        purchase_order=po_lines[0].purchase_order,
        lines=[
            ReceiptLineInput(purchase_order_line=line, quantity=line.quantity) for line in po_lines
        ],
    )
    return order


def test_a_200_line_order_is_released_and_shipped_with_the_statements_of_5(world):
    orders = [reserved_order(world, 5), reserved_order(world, 200)]

    release_counts = [
        queries_of(
            lambda order=order: pick_release(
                actor=fresh(world.users["shipper"]),
                business_unit=world.units["US1"],
                warehouse=world.warehouses["M1"],
                sales_order=order,
            )
        )
        for order in orders
    ]
    shipments = [order.lines.get(line_number=1).shipment_lines.get().shipment for order in orders]
    # The first line of each ships one of its two units: it is split, the rest stays reserved.
    short = [shipment.lines.order_by("pk")[0].pk for shipment in shipments]
    ship_counts = [
        queries_of(
            lambda shipment=shipment, short=short: shipment_ship_confirm(
                actor=fresh(world.users["shipper"]),
                shipment=shipment,
                quantities={short: Decimal("1")},
            )
        )
        for shipment, short in zip(shipments, short, strict=True)
    ]

    assert release_counts[0] == release_counts[1] <= RELEASE_CEILING, release_counts
    assert ship_counts[0] == ship_counts[1] <= SHIP_CEILING, ship_counts
    for order, shipment in zip(orders, shipments, strict=True):
        shipment.refresh_from_db()
        assert shipment.status == ShipmentStatus.SHIPPED
        lines = list(order.lines.order_by("line_number"))
        first, split = lines[0], lines[-1]
        assert [line.status for line in lines[:-1]] == [LineStatus.SHIPPED] * (len(lines) - 1)
        assert [line.shipped_quantity for line in lines[1:-1]] == [Decimal("2")] * (len(lines) - 2)
        assert (first.quantity, first.shipped_quantity, first.reserved_quantity) == (
            Decimal("1"),
            Decimal("1"),
            Decimal("0"),
        )
        assert (split.split_from, split.status, split.reserved_quantity) == (
            first,
            LineStatus.AWAITING_SHIPPING,
            Decimal("1"),
        )
        assert Reservation.objects.get(sales_order_line=split).quantity == Decimal("1")
        issues = InventoryTransaction.objects.filter(
            transaction_type=TransactionType.SALES_ISSUE, source_reference=shipment.number
        )
        assert issues.count() == len(lines) - 1
        assert history_users(lines[1])[-1] == "shipper"
