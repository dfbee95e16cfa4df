from b2b_portal.errors import ValidationRefused


class ItemNotBookable(ValidationRefused):
    """The item lacks an attribute the Back-to-Back flow needs."""


class InvalidOrderLine(ValidationRefused):
    """A line's item, quantity or price is not acceptable."""
