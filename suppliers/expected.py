"""The one place told that the date a PO line's supply is expected has moved.

An acknowledgement moves the promise itself (the caller sets ``promised_date``); a ship
notice brings its own expected arrival. Each change is kept on the PO line
(``expected_date``) with a history row, by whom and why, and the pegged sales order
line's jeopardy follows at once (``procurement.services.jeopardy``), so that every way a
date moves reaches it.
"""

from datetime import date

from b2b_portal.transitions import stamp_history
from procurement.models import PurchaseOrderLine
from procurement.services.jeopardy import jeopardy_reassess


def expected_dates_changed(
    *, actor, changes: list[tuple[PurchaseOrderLine, date]], why: str
) -> None:
    """Record each (locked) PO line's new expected date and reassess the jeopardy of the
    sales order lines they supply; the caller holds the PO lines' locks."""
    for po_line, expected in changes:
        po_line.expected_date = expected
        stamp_history(po_line, actor=actor, reason=f"expected {expected:%Y-%m-%d}: {why}")
        po_line.save()
    jeopardy_reassess([po_line for po_line, _ in changes], actor=actor, reason=why)
