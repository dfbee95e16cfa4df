"""The consistency check finds nothing on a clean cycle, and finds each kind of damage."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from inventory.models import OnHandBalance
from orchestration.consistency import CHECKS, check_consistency
from procurement.models import PurchaseOrderLine
from receiving.services import ReceiptLineInput, receipt_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    receipt_create(
        actor=world.users["receiver"],
        purchase_order=po_line.purchase_order,
        lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=Decimal("2"))],
    )
    return order.lines.get(), po_line


def test_a_clean_cycle_is_consistent(received):
    out = StringIO()
    call_command("check_consistency", stdout=out)
    assert f"Consistent: {len(CHECKS)} checks passed." in out.getvalue()


def test_on_hand_that_does_not_match_its_transactions_is_reported(received):
    line, _ = received
    # Damage on purpose, bypassing the services.
    OnHandBalance.objects.filter(item=line.item).update(quantity=5)
    [violation] = check_consistency()
    assert "transactions add up to 2.000" in violation
    with pytest.raises(CommandError, match="1 inconsistencies"):
        call_command("check_consistency", stdout=StringIO(), stderr=StringIO())


def test_billed_over_received_is_reported(received):
    _, po_line = received
    PurchaseOrderLine.objects.filter(pk=po_line.pk).update(billed_quantity=1)
    [violation] = check_consistency()
    assert "billed 1.000 (validated AP lines 0" in violation


def test_a_billed_flag_the_invoice_lines_contradict_is_reported(world, drive_to_po):
    from invoicing.services import ar_invoice_cancel
    from shipping.models import ShipmentLine
    from tests.invoicing.support import draft_ar_invoice

    invoice = draft_ar_invoice(world, drive_to_po)
    line = ShipmentLine.objects.get(ar_invoice_lines__invoice=invoice)
    assert check_consistency() == []

    # Damage on purpose: billed, but not flagged.
    ShipmentLine.objects.filter(pk=line.pk).update(is_billed=False)
    [violation] = check_consistency()
    assert f"line {line.pk} is flagged not billed; its invoice lines say otherwise" in violation

    # Flagged billed after its invoice was cancelled: AutoInvoice would never bill it again.
    ShipmentLine.objects.filter(pk=line.pk).update(is_billed=True)
    ar_invoice_cancel(actor=world.users["ar"], invoice=invoice, reason="wrong customer PO")
    assert check_consistency() == []
    ShipmentLine.objects.filter(pk=line.pk).update(is_billed=True)
    [violation] = check_consistency()
    assert f"line {line.pk} is flagged billed; its invoice lines say otherwise" in violation
