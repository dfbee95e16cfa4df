"""The Schedule New Process form: a process, its parameters, and how often to run it."""

from django import forms

from b2b_portal.widgets import DateInput
from catalog.models import BusinessUnit, Item, Supplier
from catalog.units import business_units_of, scope_to_units, works_in_every_unit
from orders.forms import SalesOrderNumberField
from orders.models import SalesOrder

from .models import RunStatus
from .registry import PROCESSES, processes_runnable_by
from .services import RUN_NEEDS_A_UNIT

NOT_APPLICABLE = "Does not apply to {process}: leave it empty."


class ScheduleProcessForm(forms.Form):
    REPEAT_CHOICES = [
        ("once", "Once, now"),
        ("interval", "Every N minutes"),
        ("daily", "Daily at a time"),
    ]

    process = forms.ChoiceField()
    business_unit = forms.ModelChoiceField(queryset=BusinessUnit.objects.none(), required=False)
    item = forms.ModelChoiceField(queryset=Item.objects.none(), required=False)
    supplier = forms.ModelChoiceField(queryset=Supplier.objects.filter(active=True), required=False)
    sales_order = SalesOrderNumberField(help_text="For example SO-000123.")
    date_from = forms.DateField(required=False, widget=DateInput())
    date_to = forms.DateField(required=False, widget=DateInput())
    batch_size = forms.IntegerField(min_value=1, max_value=5000, initial=500)
    repeat = forms.ChoiceField(choices=REPEAT_CHOICES, initial="once")
    every_minutes = forms.IntegerField(required=False, min_value=1, max_value=1440)
    daily_at = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["process"].choices = [
            (definition.code, definition.name) for definition in processes_runnable_by(user)
        ]
        if not user.has_perm("django_celery_beat.add_periodictask"):
            self.fields["repeat"].choices = self.REPEAT_CHOICES[:1]
        units = business_units_of(user)
        self.fields["business_unit"].queryset = units
        # Empty means every unit: only for a user who works in every unit. A user of one
        # unit finds it chosen.
        unit_field = self.fields["business_unit"]
        unit_field.required = not works_in_every_unit(user)
        unit_field.error_messages["required"] = RUN_NEEDS_A_UNIT
        own_units = list(units.values_list("pk", flat=True)[:2])
        if unit_field.required and len(own_units) == 1:
            unit_field.initial = own_units[0]
        self.fields["item"].queryset = Item.objects.filter(business_unit__in=units)

    def clean(self):
        data = super().clean()
        definition = PROCESSES.get(data.get("process"))
        if definition is None:
            return data
        for name in ("business_unit", "item", "supplier", "sales_order", "date_from", "date_to"):
            if data.get(name) is not None and name not in definition.parameters:
                self.add_error(name, NOT_APPLICABLE.format(process=definition.name))
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        order_number = data.get("sales_order")
        if (
            order_number is not None
            and not scope_to_units(SalesOrder.objects.filter(pk=order_number), self.user).exists()
        ):
            self.add_error("sales_order", f"There is no sales order {order_number} in your units.")
        if data.get("repeat") == "interval" and not data.get("every_minutes"):
            self.add_error("every_minutes", "Say how many minutes apart the runs are.")
        if data.get("repeat") == "daily" and not data.get("daily_at"):
            self.add_error("daily_at", "Say at what time the process runs each day.")
        return data

    def parameters(self) -> dict:
        """The run parameters as stored on the run: ids and ISO dates."""
        data = self.cleaned_data
        parameters = {
            "business_unit": data["business_unit"].pk if data.get("business_unit") else None,
            "item": data["item"].pk if data.get("item") else None,
            "supplier": data["supplier"].pk if data.get("supplier") else None,
            "sales_order": data.get("sales_order"),
            "date_from": data["date_from"].isoformat() if data.get("date_from") else None,
            "date_to": data["date_to"].isoformat() if data.get("date_to") else None,
            "batch_size": data["batch_size"],
        }
        return {key: value for key, value in parameters.items() if value is not None}


class RunFilterForm(forms.Form):
    process = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False)
    queued_from = forms.DateField(required=False, widget=DateInput())
    queued_to = forms.DateField(required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["process"].choices = [("", "All processes")] + [
            (code, definition.name) for code, definition in PROCESSES.items()
        ]
        self.fields["status"].choices = [("", "All statuses"), *RunStatus.choices]
