"""The one place told that the date a PO line's supply is expected has moved.

An acknowledgement moves the promise itself (the caller sets ``promised_date``); a ship
notice brings its own expected arrival. Today each change is kept in the PO line's
history, by whom and why; the jeopardy of the pegged sales order line (issue 14, item 2)
is to be decided here, so that every way a date moves reaches it.
"""

from datetime import date

from b2b_portal.transitions import stamp_history
from procurement.models import PurchaseOrderLine


def expected_dates_changed(
    *, actor, changes: list[tuple[PurchaseOrderLine, date]], why: str
) -> None:
    """Record each (locked) PO line's new expected date; the caller holds the locks."""
    for po_line, expected in changes:
        stamp_history(po_line, actor=actor, reason=f"expected {expected:%Y-%m-%d}: {why}")
        po_line.save()
