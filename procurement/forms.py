"""Forms of the buyer's workbench: list filters, the Document Builder and PO rejection.

The search forms are shared with the receiving workbench, which looks for the same POs.
"""

import re

from django import forms
from django.core.exceptions import ValidationError

from b2b_portal.web import SubmissionTokenField
from catalog.models import Item, Supplier

from .models import POStatus, RequisitionLine

REJECTION_REASON_REQUIRED = "Say why the purchase order is rejected."


def document_pk(text: str, prefix: str) -> int | None:
    """The primary key behind a number typed as ``PO-000123``, ``po123`` or ``123``."""
    match = re.fullmatch(rf"(?:{prefix}-?)?0*(\d{{1,18}})", text.strip(), re.IGNORECASE)
    return int(match.group(1)) if match else None


class DocumentNumberField(forms.CharField):
    """A document number as users type it; cleans to the document's primary key."""

    def __init__(self, *, prefix: str, **kwargs):
        self.prefix = prefix
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": f"{prefix}-1234"}))
        super().__init__(required=False, max_length=30, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        pk = document_pk(text, self.prefix)
        if pk is None:
            raise ValidationError(f"Enter a number such as {self.prefix}-000123 or 123.")
        return pk


class SupplyFilterForm(forms.Form):
    """Supplier and item: the filters of every procurement and receiving list."""

    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.all(), required=False, empty_label="All suppliers"
    )
    item = forms.ModelChoiceField(
        queryset=Item.objects.none(), required=False, empty_label="All items"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        items = Item.objects.filter(purchased=True)
        if not user.is_superuser:
            items = items.filter(business_unit__members=user)
        self.fields["item"].queryset = items
        # Bootstrap classes here: django-bootstrap5 would paint every bound filter "valid".
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if is_select else "form-control"


class ExpectedShipmentSearchForm(SupplyFilterForm):
    number = DocumentNumberField(prefix="PO", label="PO number")
    field_order = ["number", "supplier", "item"]


class PurchaseOrderSearchForm(ExpectedShipmentSearchForm):
    status = forms.ChoiceField(choices=[("", "All statuses"), *POStatus.choices], required=False)


class RequisitionSelectionForm(forms.Form):
    """The lines ticked on Process Requisitions; only lines awaiting a PO in the buyer's
    units can be chosen."""

    lines = forms.ModelMultipleChoiceField(
        queryset=RequisitionLine.objects.none(),
        error_messages={
            "required": "Select at least one requisition line.",
            "invalid_choice": "Requisition line %(value)s is no longer awaiting a PO.",
            "invalid_pk_value": "Requisition line %(pk)s is no longer awaiting a PO.",
        },
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].queryset = lines


class DocumentBuilderCreateForm(forms.Form):
    submission_token = SubmissionTokenField()


class RejectForm(forms.Form):
    reason = forms.CharField(
        max_length=240,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": REJECTION_REASON_REQUIRED},
        help_text="The buyer sees this reason on the purchase order.",
    )
