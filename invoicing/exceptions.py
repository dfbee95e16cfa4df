from b2b_portal.errors import ValidationRefused

DUPLICATE_SUPPLIER_INVOICE = "Invoice {number} of {supplier} is already entered."


class DuplicateSupplierInvoice(ValidationRefused):
    """The supplier's invoice number is already entered (and not cancelled)."""
