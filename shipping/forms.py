"""Forms of the Shipping Clerk's workbench: Pick Release, Ship Confirm, the shipments search."""

from django import forms

from b2b_portal.lists import SearchForm, StatusField
from b2b_portal.web import SubmissionTokenField
from b2b_portal.widgets import DateInput
from catalog.models import Customer, Warehouse
from catalog.units import business_units_of
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
        self.fields["warehouse"].initial = warehouses.values_list("pk", flat=True).first()
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


class ShipConfirmForm(forms.Form):
    waybill = forms.CharField(label="Waybill", max_length=60, required=False)


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
