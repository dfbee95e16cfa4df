"""Late Supply (daily): pegged PO lines past their promised date put their demand at risk."""

from django.utils import timezone

from b2b_portal.bulk_writes import bulk_save_with_history
from orders.locks import sales_order_lines_for_update
from processes.batching import ProcessResult, filter_by, process_in_chunks

from ..models import POLineStatus, POStatus, PurchaseOrderLine
from .supply_orders import DEFAULT_BATCH_SIZE


def purchase_order_lines_flag_late(
    *,
    actor,
    business_unit=None,
    supplier=None,
    as_of=None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress=None,
) -> ProcessResult:
    """Late Supply (daily): a pegged PO line past its promised date and not fully
    received is flagged late, and its sales order line at risk. The receipt that
    completes the line clears both."""
    as_of = as_of or timezone.localdate()
    lines = PurchaseOrderLine.objects.filter(
        status=POLineStatus.OPEN,
        purchase_order__status=POStatus.OPEN,
        promised_date__lt=as_of,
        late_since__isnull=True,
        sales_order_line__isnull=False,
    )
    lines = filter_by(
        lines, purchase_order__business_unit=business_unit, purchase_order__supplier=supplier
    )

    def handle(chunk: list[PurchaseOrderLine]) -> ProcessResult:
        now = timezone.now()
        for po_line in chunk:
            po_line.late_since, po_line.updated_at = as_of, now
        bulk_save_with_history(
            chunk, ["late_since", "updated_at"], actor=actor, reason="Late Supply"
        )
        # A cancellation or quantity change may be saving the same SO lines: wait for it.
        at_risk = list(
            sales_order_lines_for_update().filter(
                pk__in=[po_line.sales_order_line_id for po_line in chunk]
            )
        )
        for line in at_risk:
            line.at_risk, line.updated_at = True, now
        bulk_save_with_history(
            at_risk, ["at_risk", "updated_at"], actor=actor, reason="Late Supply"
        )
        return ProcessResult(examined=len(chunk), created=len(chunk))

    return process_in_chunks(lines, handle, batch_size=batch_size, progress=progress)
