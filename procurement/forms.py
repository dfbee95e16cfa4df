"""Forms of the buyer's workbench: list searches, the Document Builder and PO rejection.

``SupplyFilterForm`` (supplier and item) is also the base of the receiving workbench's
searches, which look for the same purchase orders.
"""

from django import forms

from b2b_portal.lists import DocumentNumberField, SearchForm, StatusField
from b2b_portal.web import SubmissionTokenField
from catalog.models import Item, Supplier
from catalog.units import scope_to_units

from .models import POStatus, RequisitionLine

REJECTION_REASON_REQUIRED = "Say why the purchase order is rejected."


class SupplyFilterForm(SearchForm):
    """Supplier and item: the filters of every procurement and receiving list."""

    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.all(), required=False, empty_label="All suppliers"
    )
    item = forms.ModelChoiceField(
        queryset=Item.objects.none(), required=False, empty_label="All items"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        items = Item.objects.filter(purchased=True)
        self.fields["item"].queryset = scope_to_units(items, self.user)


class PurchaseOrderSearchForm(SupplyFilterForm):
    number = DocumentNumberField(prefix="PO", label="PO number")
    status = StatusField(POStatus.choices)
    field_order = ["number", "supplier", "item", "status"]


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
