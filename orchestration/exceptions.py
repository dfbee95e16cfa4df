from b2b_portal.errors import TransitionRefused


class LineNotCancellable(TransitionRefused):
    """The line has gone too far (shipped, or released to a shipment) to be cancelled."""
