"""Jeopardy: a sales order line is at risk as soon as its supply is expected after its
scheduled ship date, by so many days late, and leaves that state as soon as it is not.

Every service that moves a pegged PO line's expected date (a PO made or edited, a
re-source, a re-promise of the SO line, a supplier's acknowledgement or ASN) calls
``jeopardy_reassess`` with the PO lines, inside its transaction. The daily Late Supply
process keeps its own flag (a PO line past its promised date): a line it flagged stays at
risk whatever the days late say.
"""

from collections import defaultdict
from datetime import date

from django.utils import timezone

from b2b_portal.bulk_writes import bulk_save_with_history
from b2b_portal.queries import any_of
from orders.locks import sales_order_lines_for_update

from ..models import POLineStatus, PurchaseOrderLine

# What ``jeopardy_reassess`` reads of a PO line, for a caller that reads no more.
JEOPARDY_PO_FIELDS = ("sales_order_line", "status", "expected_date", "promised_date", "late_since")


def supply_expected_dates(po_lines: list[PurchaseOrderLine]) -> dict[int, date]:
    """When each PO line's goods are expected: the supplier's latest word (a ship notice's
    arrival, an acknowledged date), else the date the PO promised."""
    return {po_line.pk: po_line.expected_date or po_line.promised_date for po_line in po_lines}


def days_late(scheduled_ship_date: date | None, expected: date) -> int:
    if scheduled_ship_date is None:  # booked before lines had a scheduled ship date
        return 0
    return max(0, (expected - scheduled_ship_date).days)


def jeopardy_reassess(po_lines: list[PurchaseOrderLine], *, actor, reason: str) -> int:
    """Put the SO lines pegged to these open PO lines in or out of jeopardy; returns how
    many changed. Writes only the lines whose state changed, with a history row saying by
    how much. The caller holds the PO lines' locks (or made them); the SO lines are locked
    here, after them in the lock order."""
    pegged = {
        po_line.sales_order_line_id: po_line
        for po_line in po_lines
        if po_line.sales_order_line_id and po_line.status == POLineStatus.OPEN
    }
    if not pegged:
        return 0
    expected = supply_expected_dates(list(pegged.values()))
    now = timezone.now()
    changed = defaultdict(list)
    # The fields read and written here (and the status every line instance reads): whole
    # lines were a tenth of AutoCreate's time.
    so_lines = sales_order_lines_for_update().filter(pk__in=any_of(pegged))
    for so_line in so_lines.only("status", "scheduled_ship_date", "days_late", "at_risk"):
        po_line = pegged[so_line.pk]
        late = days_late(so_line.scheduled_ship_date, expected[po_line.pk])
        at_risk = late > 0 or po_line.late_since is not None
        if (so_line.days_late, so_line.at_risk) != (late, at_risk):
            so_line.days_late, so_line.at_risk, so_line.updated_at = late, at_risk, now
            changed[late].append(so_line)
    for late, lines in changed.items():
        state = f"at risk, {late} days late" if late else "supply on time"
        bulk_save_with_history(
            lines, ["days_late", "at_risk", "updated_at"], actor=actor, reason=f"{reason}: {state}"
        )
    return sum(len(lines) for lines in changed.values())
