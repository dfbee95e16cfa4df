"""Forms of the Shipping Clerk's workbench: Pick Release, Ship Confirm, the shipments filter.

``units_of`` and ``document_number`` are shared with the invoicing workbenches.
"""

from django import forms

from b2b_portal.web import SubmissionTokenField
from catalog.models import BusinessUnit, Customer, Warehouse
from orders.models import SalesOrder

from .models import ShipmentStatus

# Primary keys are PostgreSQL integers: a longer number can name no document.
LARGEST_NUMBER = 2**31 - 1


def units_of(user):
    """The business units whose documents ``user`` sees (a superuser sees every unit)."""
    units = BusinessUnit.objects.all()
    return units if user.is_superuser else units.filter(members=user)


def document_number(text: str, prefix: str) -> int | None:
    """``SO-000123``, ``so-123`` or ``123`` -> 123 for prefix ``SO``; None if not such a number."""
    text = text.strip().upper().removeprefix(f"{prefix}-")
    if not text.isdigit() or int(text) > LARGEST_NUMBER:
        return None
    return int(text)


class DateInput(forms.DateInput):
    input_type = "date"


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
        self.units = units_of(user)
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
            pk=document_number(text, "SO"), business_unit__in=self.units
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


class ShipmentFilterForm(forms.Form):
    q = forms.CharField(label="Shipment, order number or customer", max_length=100, required=False)
    status = forms.ChoiceField(
        choices=[("", "All statuses"), *ShipmentStatus.choices], required=False
    )
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), required=False, empty_label="All customers"
    )
    released_from = forms.DateField(label="Released from", required=False, widget=DateInput)
    released_to = forms.DateField(label="Released to", required=False, widget=DateInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(business_unit__in=units_of(user))
