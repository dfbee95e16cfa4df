"""The Exceptions work area lists every kind of open exception with its owner role."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from invoicing.services import APLineInput, ap_invoice_create, ap_invoice_validate
from orchestration.services import sales_order_line_cancel
from orchestration.work_area import open_exceptions
from procurement.models import PurchaseOrderLine, SourcingRule
from procurement.services import (
    orders_progress,
    purchase_order_lines_flag_late,
    supply_orders_generate,
)
from tests.helpers import place_order, unit_user

pytestmark = pytest.mark.django_db


def test_every_kind_is_listed_with_owner_and_actions(world, drive_to_po, today):
    # A supplier cancellation to decide, an AP hold and late supply on one PO line...
    order, _ = drive_to_po(("SRV-DL380-G11", "2"))
    _, [late_line] = drive_to_po(("STO-A400-96T", "1"))
    PurchaseOrderLine.objects.filter(pk=late_line.pk).update(promised_date=today - timedelta(1))
    purchase_order_lines_flag_late(actor=world.users["ops"])
    invoice = ap_invoice_create(
        actor=world.users["ap"],
        purchase_order=late_line.purchase_order,
        supplier_invoice_number="EARLY-1",
        invoice_date=today,
        lines=[APLineInput(purchase_order_line=late_line, quantity=Decimal("1"))],
    )
    ap_invoice_validate(actor=world.users["ap"], invoice=invoice)
    sales_order_line_cancel(
        actor=world.users["clerk"], sales_order_line=order.lines.get(), reason="lost the deal"
    )
    # ...and a supply order without a sourcing rule.
    SourcingRule.objects.filter(item__number="SRV-R760-XA").delete()
    unsourced = place_order(world, ("SRV-R760-XA", "1"))
    orders_progress(actor=world.users["manager"], sales_order=unsourced)
    supply_orders_generate(actor=world.users["buyer"])

    entries = open_exceptions(world.users["buyer"])
    summary = sorted((entry.kind, entry.owner_role, tuple(entry.actions)) for entry in entries)
    assert summary == [
        (
            "AP hold: Quantity billed exceeds quantity received",
            "AP Accountant",
            ("adjust_to_received", "cancel_invoice"),
        ),
        ("Late supply", "Buyer", ()),
        ("No usable sourcing rule", "Buyer", ("cancel_line",)),
        ("Supplier cancellation needed", "Buyer", ("cancel_with_supplier", "keep_as_stock")),
    ]
    assert all(entry.age >= timedelta(0) for entry in entries)
    assert all(entry.opened_at <= timezone.now() for entry in entries)

    assert open_exceptions(unit_user(world, "eu_buyer", "Buyer")) == []
