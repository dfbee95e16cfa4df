"""The supplier portal's forms: a line's acknowledgement, a ship notice and an invoice,
one quantity field per open PO line (``line_<pk>``) where the form has lines."""

from django import forms

from b2b_portal.fields import ZERO, MoneyFormField, QuantityFormField
from b2b_portal.web import SubmissionTokenField
from b2b_portal.widgets import DateInput
from invoicing.services import APLineInput

from .models import AcknowledgementKind
from .services import ShipNoticeLineInput

TEXT = {"class": "form-control"}


class AcknowledgeForm(forms.Form):
    submission_token = SubmissionTokenField()
    kind = forms.ChoiceField(
        label="Answer", choices=AcknowledgementKind.choices, widget=forms.RadioSelect
    )
    promised_date = forms.DateField(
        label="New date (the whole line arrives by)", required=False, widget=DateInput
    )
    backordered_quantity = QuantityFormField(
        label="Backordered quantity", required=False, widget=forms.TextInput(attrs=TEXT)
    )
    reason = forms.CharField(
        label="Reason or note", max_length=240, required=False, widget=forms.TextInput(attrs=TEXT)
    )


class LinesForm(forms.Form):
    """A quantity per PO line; blank lines are left out."""

    submission_token = SubmissionTokenField()
    quantity_label = "Quantity"

    def __init__(self, *args, po_lines, initial_quantities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.po_lines = po_lines
        for po_line in po_lines:
            self.fields[self.field_name(po_line)] = QuantityFormField(
                required=False,
                min_value=ZERO,
                label=f"{self.quantity_label} on line {po_line.line_number}",
                initial=(initial_quantities or {}).get(po_line.pk),
            )

    @staticmethod
    def field_name(po_line) -> str:
        return f"line_{po_line.pk}"

    def rows(self):
        return [(po_line, self[self.field_name(po_line)]) for po_line in self.po_lines]

    def quantities(self):
        return [
            (po_line, quantity)
            for po_line in self.po_lines
            if (quantity := self.cleaned_data.get(self.field_name(po_line)))
        ]


class ShipNoticeForm(LinesForm):
    quantity_label = "Shipped quantity"
    ship_date = forms.DateField(widget=DateInput)
    expected_arrival = forms.DateField(widget=DateInput)
    carrier = forms.CharField(max_length=80, widget=forms.TextInput(attrs=TEXT))
    tracking_number = forms.CharField(max_length=80, widget=forms.TextInput(attrs=TEXT))

    def lines(self) -> list[ShipNoticeLineInput]:
        return [
            ShipNoticeLineInput(purchase_order_line=po_line, quantity=quantity)
            for po_line, quantity in self.quantities()
        ]


class SupplierInvoiceForm(LinesForm):
    quantity_label = "Billed quantity"
    supplier_invoice_number = forms.CharField(
        label="Your invoice number", max_length=60, widget=forms.TextInput(attrs=TEXT)
    )
    invoice_date = forms.DateField(widget=DateInput)

    def __init__(self, *args, po_lines, **kwargs):
        super().__init__(*args, po_lines=po_lines, **kwargs)
        for po_line in po_lines:
            self.fields[f"price_{po_line.pk}"] = MoneyFormField(
                required=False,
                min_value=ZERO,
                label=f"Unit price on line {po_line.line_number} (blank: the PO price)",
            )

    def rows(self):
        return [(po_line, field, self[f"price_{po_line.pk}"]) for po_line, field in super().rows()]

    def lines(self) -> list[APLineInput]:
        return [
            APLineInput(
                purchase_order_line=po_line,
                quantity=quantity,
                unit_price=self.cleaned_data.get(f"price_{po_line.pk}"),
            )
            for po_line, quantity in self.quantities()
        ]
