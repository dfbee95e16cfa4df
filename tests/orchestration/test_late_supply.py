"""Acceptance 4: late supply is flagged by the daily process and cleared by the receipt."""

from datetime import timedelta
from decimal import Decimal

import pytest

from processes.models import ProcessRun, RunStatus
from processes.services import process_run_execute
from procurement.models import PurchaseOrderLine
from procurement.services import purchase_order_lines_flag_late
from receiving.services import ReceiptLineInput, receipt_create

pytestmark = pytest.mark.django_db


def test_late_supply_is_flagged_daily_and_cleared_by_the_receipt(world, drive_to_po, today):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    on_time, [_] = drive_to_po(("STO-A400-96T", "1"))
    PurchaseOrderLine.objects.filter(pk=po_line.pk).update(promised_date=today - timedelta(days=1))

    run = process_run_execute(
        run_id=ProcessRun.objects.create(process="late_supply").pk,
        service=purchase_order_lines_flag_late,
    )
    assert (run.status, run.lines_done, run.documents_made) == (RunStatus.SUCCEEDED, 1, 1)
    po_line.refresh_from_db()
    line = order.lines.get()
    assert (po_line.late_since, line.at_risk) == (today, True)
    assert not on_time.lines.get().at_risk
    # The next day's run does not flag it again.
    assert purchase_order_lines_flag_late(actor=world.users["ops"]).examined == 0

    def receive(quantity):
        receipt_create(
            actor=world.users["receiver"],
            purchase_order=po_line.purchase_order,
            lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=Decimal(quantity))],
        )
        po_line.refresh_from_db()
        line.refresh_from_db()

    receive("1")
    assert (po_line.late_since, line.at_risk) == (today, True)  # still short
    receive("1")
    assert (po_line.late_since, line.at_risk) == (None, False)
    assert line.history.latest().history_user.username == "receiver"
