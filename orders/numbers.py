"""How a sales order number is read wherever a user types one: search boxes, Pick Release
(page and admin), the Scheduled Processes page."""

from b2b_portal.numbers import document_number

from .models import SalesOrder


def sales_order_number(text: str) -> int | None:
    """The primary key behind ``SO-000123``, ``so123`` or ``123``; None when the text is
    not a sales order number."""
    return document_number(text, SalesOrder.number_prefix)
