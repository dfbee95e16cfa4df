"""Writes on the supply side, one module per step: Progress Order and Generate Supply
Orders (``supply_orders``), purchase orders made, approved and following their lines
(``purchase_orders``), cancelled and re-sourced (``cancellation``), Late Supply
(``late_supply``). Callers import from here."""

from .cancellation import (
    CANCELLABLE_PO,
    purchase_order_cancel,
    purchase_order_line_cancel,
    requisition_line_cancel,
    supply_order_resource,
)
from .editing import purchase_order_line_update, purchase_order_note_set
from .late_supply import purchase_order_lines_flag_late
from .purchase_orders import (
    purchase_order_approve,
    purchase_order_follow_lines,
    purchase_order_reject,
    purchase_order_submit,
    purchase_orders_autocreate,
    purchase_orders_create_from_requisitions,
    purchase_orders_follow_lines,
)
from .supply_orders import DEFAULT_BATCH_SIZE, orders_progress, supply_orders_generate

__all__ = [
    "CANCELLABLE_PO",
    "DEFAULT_BATCH_SIZE",
    "orders_progress",
    "purchase_order_approve",
    "purchase_order_cancel",
    "purchase_order_follow_lines",
    "purchase_order_line_cancel",
    "purchase_order_line_update",
    "purchase_order_lines_flag_late",
    "purchase_order_note_set",
    "purchase_order_reject",
    "purchase_order_submit",
    "purchase_orders_autocreate",
    "purchase_orders_create_from_requisitions",
    "purchase_orders_follow_lines",
    "requisition_line_cancel",
    "supply_order_resource",
    "supply_orders_generate",
]
