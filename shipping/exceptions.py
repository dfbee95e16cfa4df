from b2b_portal.errors import TransitionRefused

RELEASED_MEANWHILE = (
    "Another pick release took some of these lines at the same moment; release again to "
    "take the lines still waiting."
)


class LineAlreadyReleased(TransitionRefused):
    """A line is in a pick wave already: each line is released once."""


SHIP_QUANTITY_OUT_OF_RANGE = (
    "Ship more than zero and at most the {released} released for {line}; to ship none of it, "
    "un-release the shipment and release again the lines to ship."
)
SPLIT_MEANWHILE = (
    "Another change to {order} added a line at the same moment: look at the order again and retry."
)
NOT_RELEASED = "{shipment} is {status}: only a Released shipment can be un-released."
LINE_NOT_RELEASED = "{line} is {status}: only a Released shipment line can be un-released."
NOTHING_RELEASED_IN_WAVE = "{wave} has no Released shipment left to un-release."
NOT_SHIPPED = "{shipment} is {status}: only a Shipped shipment can be reversed."
INVOICED_ALREADY = (
    "{shipment} is already on AR invoice {invoices}: an AR credit memo for it is needed "
    "before the shipment can be reversed."
)


class ShipmentNotCorrectable(TransitionRefused):
    """The shipment is not in a status its un-release or reversal starts from, or it was
    invoiced already."""
