"""The Schedule New Process form: a process, its parameters, and how often to run it."""

from django import forms
from django.urls import reverse

from b2b_portal.web import SubmissionTokenField
from b2b_portal.widgets import DateInput
from catalog.models import BusinessUnit, Item, Supplier
from catalog.units import business_units_of, scope_to_units, works_in_every_unit
from orders.forms import SalesOrderNumberField
from orders.models import SalesOrder

from .models import RunStatus
from .registry import PROCESSES, processes_runnable_by
from .services import RUN_NEEDS_A_UNIT

# The fields a process may take as parameters, in the form's order; a process's form has
# only those its registry entry names.
PARAMETER_FIELDS = (
    "business_unit",
    "item",
    "supplier",
    "sales_order",
    "date_from",
    "date_to",
    "batch_size",
)
PARAMETERS_OF_ANOTHER_PROCESS = (
    "The parameters on the page were those of {shown}: check those of {process} below, then "
    "submit again."
)
NO_SUCH_ORDER = "There is no sales order {number} in your units."


class ScheduleProcessForm(forms.Form):
    """Shows only the parameters of the chosen process (``definition``): the process posted,
    else the one asked for (``?process=``), else the first the user may run. The page says
    whose parameters it shows (``parameters_for``); a post for another process (changed
    without the page following, say without JavaScript) is sent back with that process's
    parameters instead of running with ones the user never saw."""

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
    submission_token = SubmissionTokenField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        runnable = processes_runnable_by(user)
        self.fields["process"].choices = [
            (definition.code, definition.name) for definition in runnable
        ]
        wanted = self.data.get("process") if self.is_bound else self.initial.get("process")
        self.definition = next(
            (definition for definition in runnable if definition.code == wanted),
            None if self.is_bound or not runnable else runnable[0],
        )
        for name in PARAMETER_FIELDS:
            if self.definition is None or name not in self.definition.parameters:
                del self.fields[name]
        if not user.has_perm("django_celery_beat.add_periodictask"):
            self.fields["repeat"].choices = self.REPEAT_CHOICES[:1]
        units = business_units_of(user)
        if "business_unit" in self.fields:
            # Empty means every unit: only for a user who works in every unit. A user of one
            # unit finds it chosen.
            unit_field = self.fields["business_unit"]
            unit_field.queryset = units
            unit_field.required = not works_in_every_unit(user)
            unit_field.error_messages["required"] = RUN_NEEDS_A_UNIT
            own_units = list(units.values_list("pk", flat=True)[:2])
            if unit_field.required and len(own_units) == 1:
                unit_field.initial = own_units[0]
        if "item" in self.fields:
            self.fields["item"].queryset = Item.objects.filter(business_unit__in=units)
        # Choosing another process fetches its parameters in place (htmx), keeping the
        # values typed into the ones both processes take.
        self.fields["process"].widget.attrs.update(
            {
                "hx-get": reverse("processes:schedule"),
                "hx-target": "#process-parameters",
                "hx-swap": "outerHTML",
                "hx-include": "#process-parameters",
            }
        )

    @property
    def parameter_fields(self) -> list:
        """The bound fields of the chosen process's parameters, in the form's order."""
        return [self[name] for name in PARAMETER_FIELDS if name in self.fields]

    def clean(self):
        data = super().clean()
        shown = PROCESSES.get(self.data.get("parameters_for"))
        if self.definition is not None and shown is not None and shown != self.definition:
            raise forms.ValidationError(
                PARAMETERS_OF_ANOTHER_PROCESS.format(shown=shown.name, process=self.definition.name)
            )
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        order_key = data.get("sales_order")
        if (
            order_key is not None
            and not scope_to_units(SalesOrder.objects.filter(pk=order_key), self.user).exists()
        ):
            number = SalesOrder(pk=order_key).number
            self.add_error("sales_order", NO_SUCH_ORDER.format(number=number))
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
            "batch_size": data.get("batch_size"),
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
