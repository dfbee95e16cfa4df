"""Changes after booking that reach across the steps, one module each: cancellations
(``cancellation``), quantity changes (``quantity_changes``), closing a PO line short
(``close_short``), re-promising a line (``repromise``), the splits they make
(``line_split``) and the buyer's decisions they leave (``business_exceptions``). Locks are
taken through ``orchestration.locks``, in the cycle's order. Callers import from here."""

from .business_exceptions import (
    ACKNOWLEDGEABLE,
    exception_acknowledge,
    exception_cancel_with_supplier,
    exception_keep_as_stock,
)
from .cancellation import NOT_SENT, sales_order_cancel, sales_order_line_cancel
from .close_short import Remainder, purchase_order_line_close_short
from .quantity_changes import CHANGEABLE, sales_order_line_change_quantity
from .repromise import sales_order_line_repromise

__all__ = [
    "ACKNOWLEDGEABLE",
    "CHANGEABLE",
    "NOT_SENT",
    "Remainder",
    "exception_acknowledge",
    "exception_cancel_with_supplier",
    "exception_keep_as_stock",
    "purchase_order_line_close_short",
    "sales_order_cancel",
    "sales_order_line_cancel",
    "sales_order_line_change_quantity",
    "sales_order_line_repromise",
]
