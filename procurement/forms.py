"""Forms of the buyer's workbench: list searches, the Document Builder, PO rejection, and
cancelling supply and re-sourcing it.

``SupplyFilterForm`` (supplier and item) is also the base of the receiving workbench's
searches, which look for the same purchase orders.
"""

from django import forms

from b2b_portal.fields import MoneyFormField, QuantityFormField
from b2b_portal.lists import DocumentNumberField, SearchForm, StatusField
from b2b_portal.web import SubmissionTokenField
from b2b_portal.widgets import DateInput
from catalog.models import Item, Supplier
from catalog.units import scope_to_units

from .models import POStatus, RequisitionLine, SourcingRule

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


# --- Editing a Draft PO (procurement.services.editing) --------------------------------


class PurchaseOrderLineEditForm(forms.Form):
    """A Draft PO line's price, promised date and quantity; the service checks the rules
    (the quantity within the pegged demand, the date not past)."""

    unit_price = MoneyFormField(label="Unit price")
    promised_date = forms.DateField(label="Promised date", widget=DateInput)
    quantity = QuantityFormField(
        help_text="At most what the pegged sales order line still needs; less splits the rest "
        "of its demand to a new order line that is supplied again."
    )
    submission_token = SubmissionTokenField()


class SupplierNoteForm(forms.Form):
    note = forms.CharField(
        label="Note to the supplier",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Printed on the PO the supplier receives; empty removes it.",
    )
    submission_token = SubmissionTokenField()


# --- Cancelling supply and re-sourcing it (procurement.services.cancellation) ------------


def _reason(required: str) -> forms.CharField:
    return forms.CharField(
        max_length=200,  # the service prefixes who cancelled; the record holds 240
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": required},
        help_text="Recorded with your name on the documents and in their history.",
    )


class SupplyCancelForm(forms.Form):
    """Cancel a PO or a PO line: the reason, and whether the supplier asked for it."""

    on_supplier_word = forms.BooleanField(
        label="The supplier cancelled it (cancelled on the supplier's word)", required=False
    )
    reason = _reason("Say why the supply is cancelled.")
    submission_token = SubmissionTokenField()


class SourcingRuleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, rule):
        return (
            f"{rule.supplier.name} ({rule.supplier_site.code}), rank {rule.rank}, "
            f"{rule.unit_cost} {rule.currency_code}, {rule.lead_time_days} days"
        )


def usable_rules(item):
    """The item's sourcing rules with an active supplier and site, best rank first."""
    return (
        SourcingRule.objects.filter(item=item, supplier__active=True, supplier_site__active=True)
        .select_related("supplier", "supplier_site")
        .order_by("rank", "pk")
    )


class ResourceForm(forms.Form):
    """Re-source a supply order: the rule (supplier) to buy from now, and why."""

    sourcing_rule = SourcingRuleChoiceField(
        queryset=SourcingRule.objects.none(),
        label="Buy from",
        error_messages={"required": "Choose the supplier to buy from."},
    )
    reason = _reason("Say why the supply is re-sourced.")
    submission_token = SubmissionTokenField()

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sourcing_rule"].queryset = usable_rules(item)


RETURN_TO_OPEN, HOLD, RESOURCE_NOW = "open", "hold", "resource"


class RequisitionCancelForm(ResourceForm):
    """Cancel a requisition line, and say what becomes of its supply order."""

    then = forms.ChoiceField(
        label="Then",
        widget=forms.RadioSelect,
        initial=RETURN_TO_OPEN,
        choices=[
            (RETURN_TO_OPEN, "Back to Open: the next Generate Supply Orders sources it again"),
            (HOLD, "Hold in Exception until a buyer re-sources it or the demand is cancelled"),
            (RESOURCE_NOW, "Re-source it now from the supplier chosen below"),
        ],
    )
    field_order = ["then", "sourcing_rule", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sourcing_rule"].required = False
        self.fields["reason"].error_messages["required"] = "Say why the requisition is cancelled."

    def clean(self):
        data = super().clean()
        if data.get("then") == RESOURCE_NOW and not data.get("sourcing_rule"):
            self.add_error("sourcing_rule", "Choose the supplier to buy from.")
        return data
