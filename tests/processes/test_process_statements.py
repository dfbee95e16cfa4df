"""Generate Supply Orders and Import AutoInvoice cost the same statements for 5 lines as
for 200: each reads only the columns it uses (docs/decisions.md), so a column it forgot
would show here as a statement a line."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoicing.models import ARInvoiceLine
from invoicing.services import autoinvoice_import
from procurement.models import PurchaseOrderLine, RequisitionLine, SupplyOrder, SupplyStatus
from procurement.services import (
    orders_progress,
    purchase_order_approve,
    purchase_order_submit,
    purchase_orders_autocreate,
    supply_orders_generate,
)
from receiving.services import ReceiptLineInput, receipt_create
from shipping.models import ShipmentLine
from tests.helpers import place_order, ship

pytestmark = pytest.mark.django_db

ITEMS = ("SRV-DL380-G11", "SRV-R760-XA", "STO-A400-96T")


def progressed_order(world, count: int):
    """A booked order of ``count`` one-unit lines over three items, with its supply orders."""
    order = place_order(world, *((ITEMS[n % len(ITEMS)], "1") for n in range(count)))
    orders_progress(actor=world.users["manager"], sales_order=order)
    return order


def generate_statements(world, count: int) -> int:
    order = progressed_order(world, count)
    with CaptureQueriesContext(connection) as queries:
        result = supply_orders_generate(actor=world.users["buyer"])
    assert (result.examined, result.created) == (count, count)
    made = RequisitionLine.objects.filter(sales_order_line__order=order)
    assert made.count() == count
    assert not SupplyOrder.objects.filter(sales_order_line__order=order).exclude(
        status=SupplyStatus.REQUISITIONED
    )
    return len(queries)


def test_generate_supply_orders_of_200_lines_costs_the_statements_of_5(world):
    assert generate_statements(world, 5) == generate_statements(world, 200)


def shipped_order(world, count: int):
    """The order carried through AutoCreate, approval, receipt and ship confirm."""
    order = progressed_order(world, count)
    supply_orders_generate(actor=world.users["buyer"])
    purchase_orders_autocreate(actor=world.users["buyer"])
    po_lines = PurchaseOrderLine.objects.filter(sales_order_line__order=order)
    for purchase_order in {line.purchase_order for line in po_lines}:
        purchase_order_submit(actor=world.users["buyer"], purchase_order=purchase_order)
        # Not the buyer: 200 servers are above the unit's approval limit.
        purchase_order_approve(actor=world.users["admin"], purchase_order=purchase_order)
        receipt_create(
            actor=world.users["receiver"],
            purchase_order=purchase_order,
            lines=[
                ReceiptLineInput(purchase_order_line=line, quantity=line.quantity)
                for line in purchase_order.lines.all()
            ],
        )
    ship(world, sales_order=order)
    return order


def autoinvoice_statements(world, count: int) -> int:
    order = shipped_order(world, count)
    with CaptureQueriesContext(connection) as queries:
        result = autoinvoice_import(actor=world.users["ar"])
    assert (result.examined, result.created) == (count, 1)
    billed = ARInvoiceLine.objects.filter(sales_order_line__order=order)
    assert billed.count() == count
    assert sum(line.quantity for line in billed) == Decimal(count)
    lines = ShipmentLine.objects.filter(sales_order_line__order=order)
    assert lines.filter(is_billed=True).count() == count
    return len(queries)


def test_autoinvoice_of_200_lines_costs_the_statements_of_5(world):
    assert autoinvoice_statements(world, 5) == autoinvoice_statements(world, 200)
