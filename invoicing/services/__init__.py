"""Payables and Receivables, one module each: AP invoices entered, validated, released
and paid (``payables``, matching in ``ap_matching``), AR invoices imported and completed
(``receivables``). Callers import from here."""

from .ap_corrections import (
    ap_debit_memo_create,
    ap_invoice_adjust_to_received,
    ap_invoice_cancel,
    ap_invoice_line_adjust,
)
from .ar_corrections import (
    CreditLineInput,
    ar_credit_memo_create,
    ar_invoice_cancel,
    whole_invoice_credit,
)
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
from .receivables import (
    NO_INVOICE_SELECTED,
    ar_invoice_complete,
    ar_invoices_complete,
    autoinvoice_import,
)

__all__ = [
    "INVOICEABLE_PO_STATUSES",
    "NO_INVOICE_SELECTED",
    "SUPPLIER_NUMBER_LENGTH",
    "APLineInput",
    "CreditLineInput",
    "ap_debit_memo_create",
    "ap_invoice_adjust_to_received",
    "ap_invoice_cancel",
    "ap_invoice_create",
    "ap_invoice_hold_release",
    "ap_invoice_line_adjust",
    "ap_invoice_pay",
    "ap_invoice_validate",
    "ap_invoices_validate",
    "ar_credit_memo_create",
    "ar_invoice_cancel",
    "ar_invoice_complete",
    "ar_invoices_complete",
    "autoinvoice_import",
    "whole_invoice_credit",
]
