"""Forms of the Shipping Clerk's workbench: Pick Release, Ship Confirm, the shipments search."""

from django import forms

from b2b_portal.fields import QuantityFormField
from b2b_portal.lists import SearchForm, StatusField
from b2b_portal.web import SubmissionTokenField
from b2b_portal.widgets import DateInput
from catalog.models import Customer, Warehouse
from catalog.units import business_units_of
from orchestration.forms import reason_field
from orders.models import SalesOrder
from orders.numbers import sales_order_number

from .models import ShipmentStatus


class PickReleaseForm(forms.Form):
    warehouse = forms.ModelChoiceField(queryset=Warehouse.objects.none())
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), required=False, empty_label="All customers"
    )
    sales_order = forms.CharField(
        label="Sales order number",
        max_length=20,
        required=False,
        help_text="Only this order's lines, for example SO-000123.",
    )
    requested_by = forms.DateField(
        label="Requested by",
        required=False,
        widget=DateInput,
        help_text="Only lines requested on or before this date.",
    )
    submission_token = SubmissionTokenField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = business_units_of(user)
        warehouses = Warehouse.objects.filter(business_unit__in=self.units)
        self.fields["warehouse"].queryset = warehouses
        self.first_warehouse = warehouses.first()
        self.fields["warehouse"].initial = self.first_warehouse
        self.fields["customer"].queryset = Customer.objects.filter(
            business_unit__in=self.units, active=True
        )

    def clean_sales_order(self):
        text = self.cleaned_data["sales_order"]
        if not text:
            return None
        order = SalesOrder.objects.filter(
            pk=sales_order_number(text), business_unit__in=self.units
        ).first()
        if order is None:
            raise forms.ValidationError(f"There is no sales order {text} in your business units.")
        return order

    def criteria(self) -> dict:
        """What Pick Release takes, as the keyword arguments of ``pick_release``."""
        names = ("warehouse", "customer", "sales_order", "requested_by")
        return {name: self.cleaned_data.get(name) for name in names}

    def shown_criteria(self) -> dict:
        """The criteria the page shows: as posted, or before anything is chosen the first
        warehouse, selected in the form (not every warehouse of the clerk's units)."""
        if self.is_bound:
            return self.criteria()
        return {"warehouse": self.first_warehouse}


SHIP_CONFIRM_FORM_ID = "ship-confirm"


class ShipConfirmForm(forms.Form):
    """The waybill, and per released line the quantity shipped (blank: all released). The
    quantity inputs sit in the lines table, tied to the form by their ``form`` attribute."""

    waybill = forms.CharField(label="Waybill", max_length=60, required=False)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[self._name(line)] = QuantityFormField(
                label=f"Quantity shipped of {line.sales_order_line}",
                required=False,
                initial=line.quantity,
                widget=forms.TextInput(
                    attrs={"form": SHIP_CONFIRM_FORM_ID, "inputmode": "decimal", "size": 8}
                ),
            )

    @staticmethod
    def _name(line) -> str:
        return f"ship_{line.pk}"

    def line_fields(self) -> list:
        """(shipment line, its quantity field), in the order given, for the lines table."""
        return [(line, self[self._name(line)]) for line in self.lines]

    def quantities(self) -> dict:
        """Shipment line pk -> quantity shipped, for the lines given one."""
        entered = {line.pk: self.cleaned_data.get(self._name(line)) for line in self.lines}
        return {pk: quantity for pk, quantity in entered.items() if quantity is not None}


class ShipmentCorrectionForm(forms.Form):
    """Un-release or reversal of a shipment (or un-release of a pick wave): why."""

    reason = reason_field("Say why.", "Kept on the shipment and in its history.")


class ShipmentSearchForm(SearchForm):
    q = forms.CharField(label="Shipment, order number or customer", max_length=100, required=False)
    status = StatusField(ShipmentStatus.choices)
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), required=False, empty_label="All customers"
    )
    released_from = forms.DateField(label="Released from", required=False, widget=DateInput)
    released_to = forms.DateField(label="Released to", required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(
            business_unit__in=business_units_of(self.user)
        )
