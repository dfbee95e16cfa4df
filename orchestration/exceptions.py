from b2b_portal.errors import TransitionRefused


class LineNotCancellable(TransitionRefused):
    """The line has gone too far (shipped, or released to a shipment) to be cancelled."""


SUPPLY_CHANGED_MEANWHILE = (
    "The supply of {line} changed while this change was being saved (a PO line was made, "
    "cancelled or unpegged): look at the line again and retry."
)
ORDER_CHANGED_MEANWHILE = (
    "Another change to {order} added a line at the same moment: look at the order again and retry."
)


class ChangedMeanwhile(TransitionRefused):
    """Someone else changed the same documents between reading and locking them."""
