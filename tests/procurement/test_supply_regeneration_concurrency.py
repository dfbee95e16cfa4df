"""Issue 10, acceptance 3 on PostgreSQL: after a requisition line is cancelled, two
Generate Supply Orders runs at once (each on its own connection) make exactly one new
requisition line."""

import pytest

from procurement.models import RequisitionLine, SupplyOrder, SupplyStatus
from procurement.services import orders_progress, requisition_line_cancel, supply_orders_generate
from tests.helpers import place_order
from tests.locking.support import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_runs_at_once_make_one_new_requisition_line(world):
    order = place_order(world, ("SRV-DL380-G11", "2"))
    orders_progress(actor=world.users["manager"], sales_order=order)
    supply_orders_generate(actor=world.users["buyer"])
    requisition_line_cancel(
        actor=world.users["buyer"],
        requisition_line=RequisitionLine.objects.get(),
        reason="wrong supplier",
    )
    buyer = world.users["buyer"]
    outcomes = run_concurrently(
        lambda: supply_orders_generate(actor=buyer), lambda: supply_orders_generate(actor=buyer)
    )
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    supply_orders_generate(actor=buyer)
    supply = SupplyOrder.objects.get()
    assert supply.status == SupplyStatus.REQUISITIONED
    live = RequisitionLine.objects.filter(supply_order=supply).exclude(status="CANCELLED")
    assert live.count() == 1
    assert RequisitionLine.objects.count() == 2
