"""The forms of the invoice corrections: a reason for a cancellation or an adjustment,
an AP line's new quantity or price, a credit memo's lines, a debit memo."""

from django import forms

from b2b_portal.fields import MoneyFormField, QuantityFormField
from b2b_portal.web import SubmissionTokenField
from catalog.models import Supplier
from catalog.units import business_units_of
from procurement.models import PurchaseOrder

from .models import CreditDisposition, DebitMemoKind

REASON_MAX = 240


def reason_field(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(label=label, max_length=REASON_MAX, help_text=help_text)


class CancelInvoiceForm(forms.Form):
    reason = reason_field("Cancel reason", "Why the invoice is cancelled; kept in its history.")


class AdjustToReceivedForm(forms.Form):
    reason = reason_field(
        "Adjust reason", "Why the line is billed at what was received; kept in its history."
    )


class APLineAdjustForm(forms.Form):
    quantity = QuantityFormField(label="New quantity", required=False, min_value=0)
    unit_price = MoneyFormField(label="New unit price", required=False, min_value=0)
    reason = reason_field("Adjust reason", "Why the line changes; kept in its history.")


class CreditMemoForm(forms.Form):
    """One quantity, amount and disposition per live line of the invoice."""

    submission_token = SubmissionTokenField()
    reason = reason_field("Credit reason", "Why the customer is credited; printed on the memo.")
    whole = forms.BooleanField(
        label="Credit the whole invoice (what is left to credit on every line)", required=False
    )
    whole_disposition = forms.ChoiceField(
        label="The whole invoice's credited quantities",
        choices=CreditDisposition.choices,
        initial=CreditDisposition.CLOSE,
    )

    def __init__(self, *args, invoice_lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice_lines = invoice_lines
        for line in invoice_lines:
            self.fields[f"quantity_{line.pk}"] = QuantityFormField(
                label=f"Quantity to credit on {line.sales_order_line}", required=False, min_value=0
            )
            self.fields[f"amount_{line.pk}"] = MoneyFormField(
                label=f"Amount to credit on {line.sales_order_line}",
                required=False,
                min_value=0,
                help_text="Empty: the quantity at the invoice price.",
            )
            self.fields[f"disposition_{line.pk}"] = forms.ChoiceField(
                label=f"Credited quantity of {line.sales_order_line}",
                choices=CreditDisposition.choices,
                initial=CreditDisposition.CLOSE,
            )

    def line_fields(self):
        """(line, quantity field, amount field, disposition field) for the page's table."""
        return [
            (
                line,
                self[f"quantity_{line.pk}"],
                self[f"amount_{line.pk}"],
                self[f"disposition_{line.pk}"],
            )
            for line in self.invoice_lines
        ]


class DebitMemoForm(forms.Form):
    submission_token = SubmissionTokenField()
    business_unit = forms.ModelChoiceField(queryset=None)
    supplier = forms.ModelChoiceField(queryset=Supplier.objects.order_by("name"))
    purchase_order = forms.ModelChoiceField(
        queryset=PurchaseOrder.objects.none(),
        required=False,
        help_text="The PO the goods or the price came from (optional).",
    )
    kind = forms.ChoiceField(choices=DebitMemoKind.choices)
    amount = MoneyFormField(label="Amount the supplier owes back", min_value=0)
    reason = reason_field("Reason", "What was returned or disputed; kept with the memo.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = business_units_of(user)
        self.fields["business_unit"].queryset = units
        if units.count() == 1:
            self.fields["business_unit"].initial = units.get()
        self.fields["purchase_order"].queryset = PurchaseOrder.objects.filter(
            business_unit__in=units
        ).order_by("-id")
