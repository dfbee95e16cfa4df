"""Writes of supplier collaboration, one module per action: who is a supplier's user
(``contacts``), acknowledging PO lines (``acknowledgements``), ship notices and receiving
them (``ship_notices``), the supplier's invoice (``invoices``). Callers import from here."""

from .acknowledgements import line_acknowledge
from .contacts import supplier_contact_set
from .invoices import supplier_invoice_create
from .ship_notices import ShipNoticeLineInput, ship_notice_create, ship_notice_receive

__all__ = [
    "ShipNoticeLineInput",
    "line_acknowledge",
    "ship_notice_create",
    "ship_notice_receive",
    "supplier_contact_set",
    "supplier_invoice_create",
]
