"""AutoInvoice makes one invoice per sales order and run, however its lines fall across
the run's chunks: an order whose shipped lines straddle a chunk boundary is not split
into two invoices (seen as 2,002 invoices for 2,000 orders in the simulation)."""

from decimal import Decimal

import pytest
from django.db import transaction

from invoicing.models import ARInvoice
from invoicing.services import autoinvoice_import
from invoicing.services.receivables import FIRST_BILLINGS, _bill_unbilled
from procurement.services import orders_progress
from shipping.models import ShipmentLine
from tests.helpers import place_order, ship

pytestmark = pytest.mark.django_db


def test_an_order_straddling_a_chunk_is_one_invoice(world):
    cables = [("CBL-CAT6-3M", "1"), ("CBL-CAT6-3M", "2"), ("CBL-CAT6-3M", "3")]
    orders = [place_order(world, *cables), place_order(world, *cables)]
    for order in orders:  # booking's Progress Order reserves the cables from stock
        orders_progress(actor=world.users["ops"], sales_order=order)
    ship(world)

    result = autoinvoice_import(actor=world.users["ar"], batch_size=2)

    invoices = ARInvoice.objects.order_by("pk")
    assert [invoice.sales_order for invoice in invoices] == orders
    assert [invoice.lines.count() for invoice in invoices] == [3, 3]
    assert [invoice.total_amount for invoice in invoices] == [Decimal("27.00")] * 2
    assert (result.examined, result.created, result.failures) == (6, 2, [])


def test_a_chunk_read_before_another_run_billed_a_line_skips_that_line(world):
    """A chunk chosen by a read whose snapshot predates another run's commit: the billed
    line's constraint stops the chunk, which is billed again without it."""
    billed = place_order(world, ("CBL-CAT6-3M", "1"))
    orders_progress(actor=world.users["ops"], sales_order=billed)
    ship(world)
    autoinvoice_import(actor=world.users["ar"])
    fresh = place_order(world, ("CBL-CAT6-3M", "2"))
    orders_progress(actor=world.users["ops"], sales_order=fresh)
    ship(world)
    # What the stale read chose: both orders' lines, as billing reads them.
    stale = list(
        ShipmentLine.objects.order_by("pk").values_list(
            "pk", "quantity", "sales_order_line_id", named=True
        )
    )
    unbilled = ShipmentLine.objects.filter(is_billed=False)

    with transaction.atomic():
        result = _bill_unbilled(stale, unbilled, FIRST_BILLINGS, actor=world.users["ar"])

    assert (result.examined, result.created, result.failures) == (1, 1, [])
    invoices = ARInvoice.objects.order_by("pk")
    assert [invoice.sales_order for invoice in invoices] == [billed, fresh]
    assert [invoice.lines.count() for invoice in invoices] == [1, 1]
