"""AutoInvoice makes one invoice per sales order and run, however its lines fall across
the run's chunks: an order whose shipped lines straddle a chunk boundary is not split
into two invoices (seen as 2,002 invoices for 2,000 orders in the simulation)."""

from decimal import Decimal

import pytest

from invoicing.models import ARInvoice
from invoicing.services import autoinvoice_import
from procurement.services import orders_progress
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
