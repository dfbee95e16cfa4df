"""Forms of the AP and AR Accountants' workbenches."""

from django import forms
from django.utils import timezone

from b2b_portal.fields import MoneyFormField, QuantityFormField
from b2b_portal.lists import SearchForm, StatusField
from b2b_portal.web import SubmissionTokenField
from b2b_portal.widgets import DateInput
from catalog.models import Customer, Supplier
from catalog.units import business_units_of

from .models import APStatus, ARInvoice, ARStatus
from .services import NO_INVOICE_SELECTED, APLineInput

QUANTITY_ERRORS = {
    "min_value": "Enter a positive quantity, or leave it empty to bill nothing on this line.",
    "max_decimal_places": "A quantity can have at most 3 decimal places.",
    "max_whole_digits": "This quantity is too large.",
    "max_digits": "This quantity is too large.",
}
PRICE_ERRORS = {
    "min_value": "A unit price cannot be negative.",
    "max_decimal_places": "A unit price can have at most 2 decimal places.",
    "max_whole_digits": "A unit price must be below 1,000,000,000,000.",
    "max_digits": "A unit price must be below 1,000,000,000,000.",
}


class InvoiceablePurchaseOrderSearchForm(SearchForm):
    """Create Invoice, step 1: the purchase orders to invoice against, by number or supplier."""

    q = forms.CharField(label="PO number or supplier", max_length=100, required=False)


class APInvoiceForm(forms.Form):
    """The supplier's invoice against one PO: a quantity and a unit price per PO line.

    ``po_lines`` carry ``to_bill`` (what is received and not yet billed), the quantity the
    line's field starts from; an empty or zero quantity leaves the line off the invoice.
    """

    supplier_invoice_number = forms.CharField(label="Supplier invoice number", max_length=60)
    invoice_date = forms.DateField(initial=timezone.localdate, widget=DateInput)
    submission_token = SubmissionTokenField()

    def __init__(self, *args, po_lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.po_lines = po_lines
        for line in po_lines:
            self.fields[f"quantity_{line.pk}"] = QuantityFormField(
                label=f"Quantity to bill on line {line.line_number}",
                required=False,
                min_value=0,
                initial=line.to_bill or None,
                error_messages=QUANTITY_ERRORS,
            )
            self.fields[f"unit_price_{line.pk}"] = MoneyFormField(
                label=f"Unit price on line {line.line_number}",
                required=False,
                min_value=0,
                initial=line.unit_price,
                error_messages=PRICE_ERRORS,
                help_text="Empty: the PO price.",
            )

    def rows(self):
        """(PO line, quantity field, unit price field) per PO line, for the table."""
        return [
            (line, self[f"quantity_{line.pk}"], self[f"unit_price_{line.pk}"])
            for line in self.po_lines
        ]

    def invoice_lines(self) -> list[APLineInput]:
        data = self.cleaned_data
        return [
            APLineInput(
                purchase_order_line=line,
                quantity=data[f"quantity_{line.pk}"],
                unit_price=data[f"unit_price_{line.pk}"],
            )
            for line in self.po_lines
            if data[f"quantity_{line.pk}"]
        ]


class APInvoiceSearchForm(SearchForm):
    q = forms.CharField(label="AP, PO or supplier invoice number", max_length=100, required=False)
    status = StatusField(APStatus.choices)
    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.all(), required=False, empty_label="All suppliers"
    )


class HoldReleaseForm(forms.Form):
    reason = forms.CharField(
        label="Release reason",
        max_length=240,
        help_text="Why the invoice may be paid despite this hold; kept with the hold.",
    )


class ARInvoiceSearchForm(SearchForm):
    q = forms.CharField(label="AR or sales order number", max_length=100, required=False)
    status = StatusField(ARStatus.choices)
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), required=False, empty_label="All customers"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(
            business_unit__in=business_units_of(self.user)
        )


NOT_YOUR_INVOICE = "A selected invoice is not one of your units' AR invoices; none was completed."


class ARInvoiceSelectionForm(forms.Form):
    """The invoices ticked on the AR Invoices list for Complete selected; any of the user's
    units' invoices may be chosen, so that the service names one no longer Draft."""

    invoices = forms.ModelMultipleChoiceField(
        queryset=ARInvoice.objects.none(),
        error_messages={
            "required": NO_INVOICE_SELECTED,
            "invalid_choice": NOT_YOUR_INVOICE,
            "invalid_pk_value": NOT_YOUR_INVOICE,
        },
    )
    submission_token = SubmissionTokenField()

    def __init__(self, *args, invoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoices"].queryset = invoices
