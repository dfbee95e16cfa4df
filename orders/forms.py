"""Create Order (header and lines) and the Manage Orders search.

Choices offered are those of the user's business units only, and once a business unit is
chosen those of that unit only (the page asks again through htmx when the unit changes), so a
customer, warehouse or item of another unit is refused on its field, before submit. The
rules an order must obey (positive quantities, prices in range, one unit per order) stay
in ``orders.services``; the fields here only turn typing mistakes into messages next to
the field.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html

from b2b_portal.errors import ApplicationError
from b2b_portal.fields import ZERO, MoneyFormField, QuantityFormField
from b2b_portal.lists import DocumentNumberField, SearchForm, StatusField
from b2b_portal.web import SubmissionTokenField
from b2b_portal.widgets import DateInput
from catalog.models import Customer, Item, Warehouse
from catalog.units import business_units_of

from .models import HEADER_STATUS_RANKING, SalesOrder
from .selectors import orders_with_customer_po, recent_identical_order
from .services import ZERO_PRICE_UNCONFIRMED, validate_quantity

MAX_LINES = 100
NOT_YOURS = "Choose one of your business units' {what}; this one is not available to you."
NOT_OF_UNIT = "Choose one of {unit}'s {what}; this one belongs to another business unit."
REPEATED_CUSTOMER_PO = (
    "Customer PO {number} of {customer} is already on {orders}. If this is not the same "
    "order entered again, Save or Submit once more to enter it anyway."
)
REPEATED_ORDER = (
    "You entered the same order for {customer} (the same items and quantities) {minutes} "
    'minutes ago or less: <a href="{url}">{order}</a>. If this is not the same order '
    "entered again, Save or Submit once more to enter it anyway."
)


def chosen_unit(units, wanted):
    """The business unit of ``units`` a page posted or asked for (by its key), or None."""
    try:
        return units.filter(pk=int(wanted)).first() if wanted else None
    except (TypeError, ValueError):
        return None


class OrderHeaderForm(forms.Form):
    business_unit = forms.ModelChoiceField(
        queryset=None, error_messages={"invalid_choice": NOT_YOURS.format(what="units")}
    )
    customer = forms.ModelChoiceField(
        queryset=None, error_messages={"invalid_choice": NOT_YOURS.format(what="customers")}
    )
    warehouse = forms.ModelChoiceField(
        queryset=None, error_messages={"invalid_choice": NOT_YOURS.format(what="warehouses")}
    )
    requested_date = forms.DateField(widget=DateInput)
    customer_po_number = forms.CharField(label="Customer PO", max_length=50, required=False)
    # What the clerk was warned about and entered again (see clean): one confirmation for
    # a repeated customer PO and an order just entered the same.
    repeated = forms.CharField(required=False, widget=forms.HiddenInput)
    submission_token = SubmissionTokenField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The filled lines' cleaned data, given by the view once they are valid (see clean).
        self.lines = None
        units = business_units_of(user)
        self.fields["business_unit"].queryset = units
        if len(choices := list(units[:2])) == 1:  # a clerk of one unit has nothing to pick
            self.initial.setdefault("business_unit", choices[0].pk)
        # The unit posted (or asked for by htmx), else the user's only one; None while a
        # user of several units has not chosen.
        wanted = self.data.get(self.add_prefix("business_unit")) or self.initial.get(
            "business_unit"
        )
        self.unit = chosen_unit(units, wanted)
        in_units = {"business_unit": self.unit} if self.unit else {"business_unit__in": units}
        self.fields["customer"].queryset = Customer.objects.filter(**in_units, active=True)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(**in_units)
        self.fields["requested_date"].initial = timezone.localdate
        if self.unit and len(choices) > 1:  # another of the user's units: say so
            for name, what in (("customer", "customers"), ("warehouse", "warehouses")):
                message = NOT_OF_UNIT.format(unit=self.unit, what=what)
                self.fields[name].error_messages["invalid_choice"] = message
        warehouses = list(self.fields["warehouse"].queryset[:2])
        if len(warehouses) == 1:  # one warehouse: nothing to pick
            self.initial.setdefault("warehouse", warehouses[0].pk)

    def clean(self):
        """Warn once, before saving, of an order that looks entered already: its customer PO
        on an order of the same customer, or the same lines for the same customer entered by
        the same user within ``ORDER_REPEAT_WINDOW_MINUTES``. Posted again with the warning's
        key (the hidden ``repeated``) it goes through."""
        data = super().clean()
        warnings, keys = self.repeat_warnings(data)
        if warnings and data.get("repeated") != (key := "|".join(keys)):
            self.data = self.data.copy()
            self.data[self.add_prefix("repeated")] = key
            raise forms.ValidationError(warnings, code="repeated")
        return data

    def repeat_warnings(self, data) -> tuple[list, list[str]]:
        number, customer = data.get("customer_po_number"), data.get("customer")
        warnings, keys = [], []
        if not customer:
            return warnings, keys
        if number:
            earlier = list(orders_with_customer_po(customer=customer, customer_po_number=number))
            if earlier:
                orders = ", ".join(str(order) for order in earlier)
                warnings.append(
                    REPEATED_CUSTOMER_PO.format(
                        number=number, customer=customer.name, orders=orders
                    )
                )
                keys.append(number)
        if self.lines:
            minutes = settings.ORDER_REPEAT_WINDOW_MINUTES
            same = recent_identical_order(
                user=self.user,
                customer=customer,
                lines=[(line["item"], line["quantity"]) for line in self.lines],
                since=timezone.now() - timedelta(minutes=minutes),
            )
            if same:
                warnings.append(
                    format_html(
                        REPEATED_ORDER,
                        customer=customer.name,
                        minutes=minutes,
                        url=same.get_absolute_url(),
                        order=same,
                    )
                )
                keys.append(str(same))
        return warnings, keys


class OrderLineForm(forms.Form):
    item = forms.ModelChoiceField(
        queryset=None, error_messages={"invalid_choice": NOT_YOURS.format(what="active items")}
    )
    quantity = QuantityFormField()
    unit_selling_price = MoneyFormField(
        label="Unit price",
        min_value=0,
        required=False,
        error_messages={
            "min_value": "Unit price cannot be negative.",
            "max_digits": "Unit price must be at most 999,999,999,999.99.",
            "max_whole_digits": "Unit price must be at most 999,999,999,999.99.",
            "max_decimal_places": "Unit price can have at most 2 decimal places.",
        },
    )
    no_charge = forms.BooleanField(label="No charge", required=False)

    def __init__(self, *args, user, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = business_units_of(user)
        in_units = {"business_unit": unit} if unit else {"business_unit__in": units}
        self.fields["item"].queryset = Item.objects.filter(**in_units, active=True)
        if unit and units.count() > 1:  # another of the user's units: say so
            message = NOT_OF_UNIT.format(unit=unit, what="active items")
            self.fields["item"].error_messages["invalid_choice"] = message

    def clean(self):
        data = super().clean()
        item, price = data.get("item"), data.get("unit_selling_price")
        if item and price == ZERO and not data.get("no_charge"):
            message = ZERO_PRICE_UNCONFIRMED.format(item=item.number)
            self.add_error("unit_selling_price", message)
        return data

    def clean_quantity(self):
        try:
            return validate_quantity(self.cleaned_data["quantity"])
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from error


class BaseOrderLineFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_few_forms": "An order needs at least one line.",
        "too_many_forms": f"An order can have at most {MAX_LINES} lines.",
    }

    def __init__(self, *args, user, unit=None, **kwargs):
        # Every line may be left blank: blank lines are skipped, at least one must be filled.
        kwargs["form_kwargs"] = {"user": user, "unit": unit, "empty_permitted": True}
        super().__init__(*args, **kwargs)


OrderLineFormSet = forms.formset_factory(
    OrderLineForm,
    formset=BaseOrderLineFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_LINES,
    validate_max=True,
)
LINES_PREFIX = "lines"


def order_line_formset(
    data=None, *, user, unit=None, initial=None, extra=0
) -> BaseOrderLineFormSet:
    """The lines of Create Order; their items are ``unit``'s once the header has one."""
    formset = OrderLineFormSet(data, user=user, unit=unit, initial=initial, prefix=LINES_PREFIX)
    formset.extra = extra
    return formset


def filled_lines(formset) -> list[dict]:
    """The cleaned data of the lines the clerk filled in, in page order."""
    return [form.cleaned_data for form in formset.forms if form.cleaned_data]


class SalesOrderNumberField(DocumentNumberField):
    """A sales order number as users type it (``orders.numbers``); cleans to its key."""

    def __init__(self, **kwargs):
        super().__init__(prefix=SalesOrder.number_prefix, **kwargs)


class OrderSearchForm(SearchForm):
    number = SalesOrderNumberField(
        label="Order",
        error_messages={"invalid": "Enter an order number like SO-000123 or 123."},
    )
    customer = forms.CharField(required=False, max_length=100)
    item = forms.CharField(required=False, max_length=100)
    status = StatusField(
        [(s.value, s.label) for s in HEADER_STATUS_RANKING], empty_label="Any status"
    )
    ordered_from = forms.DateField(label="Ordered from", required=False, widget=DateInput)
    ordered_to = forms.DateField(label="Ordered to", required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("ordered_from"), data.get("ordered_to")
        if start and end and start > end:
            self.add_error("ordered_to", "The end date is before the start date.")
        return data


def posted_lines_as_initial(data) -> list[dict]:
    """The lines as posted, to show them again unvalidated (Add line without JavaScript)."""
    try:
        count = int(data.get(f"{LINES_PREFIX}-TOTAL_FORMS", 0))
    except ValueError:
        count = 0
    fields = list(OrderLineForm.base_fields)
    return [
        {name: data.get(f"{LINES_PREFIX}-{i}-{name}", "") for name in fields}
        for i in range(max(0, min(count, MAX_LINES)))
    ]


def order_line_form(prefix: str, *, user, params, data=None, initial=None) -> OrderLineForm:
    """One line of the Create Order formset on its own (htmx: a new line, a price filled in),
    for the business unit the page has chosen (``business_unit`` in the request's ``params``)."""
    unit = chosen_unit(business_units_of(user), params.get("business_unit"))
    return OrderLineForm(
        data,
        user=user,
        unit=unit,
        prefix=prefix,
        initial=initial,
        empty_permitted=True,
        use_required_attribute=False,
    )


class OrderEditForm(forms.Form):
    """The header of an Entered order as the clerk may still change it."""

    customer_po_number = forms.CharField(label="Customer PO", max_length=50, required=False)
    requested_date = forms.DateField(widget=DateInput)
    submission_token = SubmissionTokenField()


class OrderLineEditForm(OrderLineForm):
    """A line added to, or changed on, an Entered order (empty price: the list price)."""

    submission_token = SubmissionTokenField()


class OrderLineRemoveForm(forms.Form):
    """Remove a line: nothing to type, only the once-only token."""

    submission_token = SubmissionTokenField()
