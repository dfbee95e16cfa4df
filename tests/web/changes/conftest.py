"""Fixtures of the change pages' tests: documents at the stage each change needs."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from invoicing.services import APLineInput, ap_invoice_create, ap_invoice_validate
from orchestration.demo import bulk_book_orders
from orchestration.services import sales_order_line_cancel, sales_order_line_change_quantity
from procurement.services import orders_progress, supply_orders_generate
from receiving.services import ReceiptLineInput, receipt_create
from tests.web.changes.support import make_late


@pytest.fixture
def add_exceptions(world, drive_to_po, unsourced_item):
    """``add_exceptions(each)``: ``each`` open entries of four kinds (a supplier
    cancellation, a PO change, late supply partly received, no sourcing rule) and one AP
    hold: ``4 * each + 1`` entries in the work area."""
    users = world.users

    def add(each: int):
        cancelled, _ = drive_to_po(*[("SRV-DL380-G11", "2")] * each)
        for line in cancelled.lines.order_by("pk"):
            sales_order_line_cancel(actor=users["clerk"], sales_order_line=line, reason="lost")
        reduced, _ = drive_to_po(*[("SRV-DL380-G11", "2")] * each)
        for line in reduced.lines.order_by("pk"):
            sales_order_line_change_quantity(
                actor=users["clerk"], sales_order_line=line, quantity=Decimal("1"), reason="less"
            )
        _late, late_lines = drive_to_po(*[("SRV-DL380-G11", "2")] * each)
        purchase_order = late_lines[0].purchase_order
        receipt_create(
            actor=users["receiver"],
            purchase_order=purchase_order,
            lines=[ReceiptLineInput(purchase_order_line=line, quantity=1) for line in late_lines],
        )
        for line in late_lines:
            make_late(world, line)
        invoice = ap_invoice_create(
            actor=users["ap"],
            purchase_order=purchase_order,
            supplier_invoice_number=f"OVER-{purchase_order.pk}",
            invoice_date=timezone.localdate() - timedelta(days=1),
            lines=[APLineInput(purchase_order_line=late_lines[0], quantity=Decimal("2"))],
        )
        ap_invoice_validate(actor=users["ap"], invoice=invoice)  # billed over received: a hold
        bulk_book_orders(world, count=each, item_number=unsourced_item.number)
        orders_progress(actor=users["manager"])
        supply_orders_generate(actor=users["buyer"])

    return add
