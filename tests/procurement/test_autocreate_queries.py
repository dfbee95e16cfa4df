"""AutoCreate costs the same few statements a chunk whatever its number of lines: it reads
only the fields it uses, and the requisitions, items, suppliers and sourcing rules of a
chunk once each, so that a field it forgot would show here as a statement a line."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from procurement.models import (
    PurchaseOrderLine,
    RequisitionLine,
    RequisitionStatus,
    SupplyOrder,
    SupplyStatus,
)
from procurement.services import orders_progress, purchase_orders_autocreate, supply_orders_generate
from tests.helpers import history_users, place_order, unit_user

pytestmark = pytest.mark.django_db

# Three suppliers (S-100, S-300, S-200): three POs, whatever the number of lines; and who
# buys each item: its supplier's buyer, nobody (whoever runs AutoCreate), its own buyer.
BUYERS = {"SRV-DL380-G11": "buyer", "SRV-R760-XA": "ops", "STO-A400-96T": "storage-buyer"}
ITEMS = list(BUYERS)
# Statements of a run of one chunk (0.15 a line at 200 lines).
CEILING = 30


def approved_requisition_lines(world, count: int) -> list[RequisitionLine]:
    """A booked order of ``count`` lines over ``ITEMS``, carried to approved requisition
    lines."""
    order = place_order(world, *((ITEMS[n % len(ITEMS)], "1") for n in range(count)))
    orders_progress(actor=world.users["manager"], sales_order=order)
    supply_orders_generate(actor=world.users["buyer"])
    return list(RequisitionLine.objects.filter(sales_order_line__order=order).order_by("pk"))


def autocreate_queries(world) -> int:
    with CaptureQueriesContext(connection) as queries:
        result = purchase_orders_autocreate(actor=world.users["ops"])
    assert result.created == len(ITEMS)
    return len(queries)


def test_autocreate_of_200_lines_costs_the_statements_of_5(world):
    world.suppliers["S-100"].buyer = world.users["buyer"]
    world.suppliers["S-100"].save()
    world.items["STO-A400-96T"].buyer = unit_user(world, "storage-buyer", "Buyer", unit="US1")
    world.items["STO-A400-96T"].save()
    counts, made = [], []
    for count in (5, 200):
        lines = approved_requisition_lines(world, count)
        counts.append(autocreate_queries(world))
        made.append(lines)

    assert counts[0] == counts[1] <= CEILING, counts
    today = timezone.localdate()
    for lines in made:
        po_lines = PurchaseOrderLine.objects.filter(requisition_line__in=lines).select_related(
            "purchase_order__buyer", "requisition_line__sourcing_rule", "item"
        )
        assert po_lines.count() == len(lines)
        for po_line in po_lines:
            line = po_line.requisition_line
            assert po_line.sales_order_line_id == line.sales_order_line_id
            assert (po_line.item_id, po_line.quantity) == (line.item_id, line.quantity)
            assert po_line.unit_price == line.unit_price
            lead_time = timedelta(days=line.sourcing_rule.lead_time_days)
            assert po_line.promised_date == max(line.need_by_date, today + lead_time)
            purchase_order = po_line.purchase_order
            assert purchase_order.supplier_id == line.supplier_id
            assert purchase_order.buyer.username == BUYERS[po_line.item.number]
        ordered = RequisitionLine.objects.filter(pk__in=[line.pk for line in lines])
        assert set(ordered.values_list("status", flat=True)) == {RequisitionStatus.ORDERED}
        supply = SupplyOrder.objects.filter(pk__in=[line.supply_order_id for line in lines])
        assert set(supply.values_list("status", flat=True)) == {SupplyStatus.ORDERED}
        assert history_users(lines[-1])[-1] == "ops"
        assert history_users(supply.last())[-1] == "ops"
