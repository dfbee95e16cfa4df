"""The one place that sets when a PO line's supply is expected (``PurchaseOrderLine
.expected_date``, the stored truth that ``procurement.services.jeopardy`` and every page
read), from what the supplier said and what is still on its way:

- ship notices on the way (Shipped, less what receipts brought of them) that carry all the
  line's open quantity: their latest arrival;
- carrying part of it: that arrival or the promised date, whichever is later (the rest
  comes as promised);
- nothing on the way: the promised date (which an acknowledgement moves).

Each service that changes one of these facts (an acknowledgement, a ship notice, a receipt
against the notices) calls ``expected_dates_changed``; the date is written with a history
row, by whom and why, and the pegged sales order lines' jeopardy follows at once.
"""

from datetime import date
from decimal import Decimal

from b2b_portal.transitions import bulk_save_moved, stamp_history
from procurement.models import POLineStatus, PurchaseOrderLine
from procurement.services.jeopardy import jeopardy_reassess

from .selectors import on_the_way


def expected_date(po_line: PurchaseOrderLine, shipped: tuple[Decimal, date] | None) -> date:
    """``po_line``'s expected date given what its notices have on the way (quantity,
    latest arrival), or None."""
    if shipped is None:
        return po_line.promised_date
    quantity, arrival = shipped
    if quantity >= po_line.open_quantity:
        return arrival
    return max(arrival, po_line.promised_date)


def expected_dates_changed(*, actor, po_lines: list[PurchaseOrderLine], why: str) -> None:
    """Set the expected date of each (locked, in memory) open PO line from its facts and
    write them with their promised date, then reassess the jeopardy of the sales order
    lines they supply; the caller holds the PO lines' locks. Three statements and the
    jeopardy's, for any number of lines. A line received in full or cancelled keeps the
    date it was last expected."""
    po_lines = [po_line for po_line in po_lines if po_line.status == POLineStatus.OPEN]
    shipped = on_the_way(po_lines)
    for po_line in po_lines:
        po_line.expected_date = expected_date(po_line, shipped.get(po_line.pk))
        stamp_history(po_line, actor=actor, reason=f"expected {po_line.expected_date}: {why}")
    bulk_save_moved(po_lines, ["promised_date", "expected_date"], actor=actor, reason=why)
    jeopardy_reassess(po_lines, actor=actor, reason=why)
