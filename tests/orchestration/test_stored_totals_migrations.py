"""The migrations that added the stored totals fill them for the documents already there
(their UPDATE runs with the migration's historical models on every test database made)."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from invoicing.models import APInvoice
from orchestration.consistency import check_consistency
from procurement.models import PurchaseOrder
from receiving.models import Receipt
from tests.helpers import enter_ap_invoice, receive

pytestmark = pytest.mark.django_db

MIGRATIONS = {
    "procurement.migrations.0010_purchase_order_stored_totals": (
        PurchaseOrder,
        {"lines_total": 0, "line_count": 0},
    ),
    "invoicing.migrations.0007_ap_invoice_stored_total": (APInvoice, {"lines_total": 0}),
    "receiving.migrations.0004_receipt_stored_totals": (
        Receipt,
        {"line_count": 0, "total_quantity": 0},
    ),
}


def test_the_migrations_fill_the_totals_of_existing_documents(world, drive_to_po):
    _, [po_line, _] = drive_to_po(("SRV-DL380-G11", "2"), ("SRV-R760-XA", "1"))
    receive(world, po_line, "2")
    enter_ap_invoice(world, po_line, "2")
    for model, before in MIGRATIONS.values():  # as the rows were before the migrations
        model.objects.update(**before)
    assert len(check_consistency()) == 4  # two POs, an invoice, a receipt

    for migration in MIGRATIONS:
        importlib.import_module(migration).store_totals(apps, None)

    assert check_consistency() == []
    assert PurchaseOrder.objects.get(pk=po_line.purchase_order_id).line_count == 1
    assert APInvoice.objects.get().lines_total == po_line.amount > 0
    assert Receipt.objects.get().total_quantity == Decimal("2")
