"""Forms of the receiving workbench: the searches of expected shipments and receipts, and
the receipt entry."""

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import floatformat

from b2b_portal.fields import ZERO, QuantityFormField
from b2b_portal.lists import DocumentNumberField
from b2b_portal.web import SubmissionTokenField
from procurement.forms import SupplyFilterForm
from procurement.models import PurchaseOrderLine

from .services import ReceiptLineInput, receiving_refusal


class ExpectedShipmentSearchForm(SupplyFilterForm):
    number = DocumentNumberField(prefix="PO", label="PO number")
    field_order = ["number", "supplier", "item"]


class ReceiptSearchForm(SupplyFilterForm):
    number = DocumentNumberField(prefix="RCV", label="Receipt number")
    purchase_order = DocumentNumberField(prefix="PO", label="PO number")
    field_order = ["number", "purchase_order", "supplier", "item"]


class ReceivedQuantityField(QuantityFormField):
    """What arrived on one PO line: blank when nothing did, else positive, at most 3
    decimals and no more than the line still expects."""

    default_error_messages = {
        "not_positive": "Enter a quantity greater than zero, or leave it blank.",
        "max_decimal_places": "Use at most 3 decimal places.",
    }

    def __init__(self, *, open_quantity, **kwargs):
        super().__init__(required=False, max_value=open_quantity, **kwargs)
        self.error_messages["max_value"] = (
            f"Only {floatformat(open_quantity, -3)} is open on this line."
        )

    def validate(self, value):
        super().validate(value)
        if value is not None and value <= ZERO:
            raise ValidationError(self.error_messages["not_positive"], code="not_positive")


class ReceiveForm(forms.Form):
    """One quantity field per open PO line (``line_<pk>``) and the packing slip. A quantity
    posted for one of the ``closed_lines`` (received in another tab, cancelled since the
    page was opened) is refused with what happened to the line."""

    submission_token = SubmissionTokenField()
    packing_slip = forms.CharField(
        max_length=60, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args, po_lines: list[PurchaseOrderLine], closed_lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.po_lines = po_lines
        self.closed_lines = closed_lines
        for po_line in po_lines:
            self.fields[self.field_name(po_line)] = ReceivedQuantityField(
                open_quantity=po_line.open_quantity,
                label=f"Received quantity on line {po_line.line_number}",
            )

    @staticmethod
    def field_name(po_line) -> str:
        return f"line_{po_line.pk}"

    def clean(self):
        data = super().clean()
        for po_line in self.closed_lines:
            if self.data.get(self.add_prefix(self.field_name(po_line)), "").strip():
                self.add_error(None, receiving_refusal(po_line, po_line.open_quantity))
        return data

    def rows(self):
        """(PO line, its quantity input) for the template."""
        return [(po_line, self[self.field_name(po_line)]) for po_line in self.po_lines]

    def receipt_lines(self) -> list[ReceiptLineInput]:
        return [
            ReceiptLineInput(purchase_order_line=po_line, quantity=quantity)
            for po_line in self.po_lines
            if (quantity := self.cleaned_data[self.field_name(po_line)]) is not None
        ]
