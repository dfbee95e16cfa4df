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
