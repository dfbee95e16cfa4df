"""Generate Supply Orders and Import AutoInvoice cost the same statements for 5 lines as
for 200: each reads only the columns it uses (docs/decisions.md), so a column it forgot
would show here as a statement a line."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoicing.models import ARInvoiceLine
from invoicing.services import autoinvoice_import
from procurement.models import RequisitionLine, SupplyOrder, SupplyStatus
from procurement.services import orders_progress, supply_orders_generate
from shipping.models import ShipmentLine
from tests.helpers import place_order
from tests.web.shipping.support import shipped_in_bulk

pytestmark = pytest.mark.django_db

ITEMS = ("SRV-DL380-G11", "SRV-R760-XA", "STO-A400-96T")


def generate_statements(world, count: int) -> int:
    """Source the supply orders of a booked order of ``count`` one-unit lines over three
    items (three items, three sourcing rules)."""
    order = place_order(world, *((ITEMS[n % len(ITEMS)], "1") for n in range(count)))
    orders_progress(actor=world.users["manager"], sales_order=order)
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


def autoinvoice_statements(world, count: int) -> int:
    """Bill ``count`` more shipped one-line orders, an invoice each."""
    shipped_in_bulk(world, count)
    to_bill = ShipmentLine.objects.filter(is_billed=False)
    assert to_bill.count() == count
    with CaptureQueriesContext(connection) as queries:
        result = autoinvoice_import(actor=world.users["ar"])
    assert (result.examined, result.created) == (count, count)
    assert not to_bill.exists()
    assert ARInvoiceLine.objects.count() == ShipmentLine.objects.count()
    return len(queries)


def test_autoinvoice_of_200_lines_costs_the_statements_of_5(world):
    assert autoinvoice_statements(world, 5) == autoinvoice_statements(world, 200)
