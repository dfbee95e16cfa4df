from b2b_portal.errors import TransitionRefused

RELEASED_MEANWHILE = (
    "Another pick release took some of these lines at the same moment; release again to "
    "take the lines still waiting."
)


class LineAlreadyReleased(TransitionRefused):
    """A line is in a pick wave already: each line is released once."""
