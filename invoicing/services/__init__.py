"""Payables and Receivables, one module each: AP invoices entered, validated, released
and paid (``payables``, matching in ``ap_matching``), AR invoices imported and completed
(``receivables``). Callers import from here."""

from .payables import (
    INVOICEABLE_PO_STATUSES,
    SUPPLIER_NUMBER_LENGTH,
    APLineInput,
    ap_invoice_create,
    ap_invoice_hold_release,
    ap_invoice_pay,
    ap_invoice_validate,
    ap_invoices_validate,
)
from .receivables import ar_invoice_complete, autoinvoice_import

__all__ = [
    "INVOICEABLE_PO_STATUSES",
    "SUPPLIER_NUMBER_LENGTH",
    "APLineInput",
    "ap_invoice_create",
    "ap_invoice_hold_release",
    "ap_invoice_pay",
    "ap_invoice_validate",
    "ap_invoices_validate",
    "ar_invoice_complete",
    "autoinvoice_import",
]
