"""Forms of the change pages: each asks for a reason, which the service records with the
user in the documents' history. A submission token refuses a second post of the same
form (a doubled increase would otherwise add a second split line)."""

from django import forms

from b2b_portal.errors import ApplicationError
from b2b_portal.fields import QuantityFormField
from b2b_portal.web import SubmissionTokenField
from b2b_portal.widgets import DateInput
from orders.services import validate_quantity

from .services import Remainder

REASON_MAX_LENGTH = 240  # cancel_reason and resolution_reason hold 240 characters


def reason_field(required_message: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": required_message},
        help_text=help_text,
    )


class LineCancelForm(forms.Form):
    reason = reason_field("Say why the line is cancelled.", "Kept on the line and in its history.")
    submission_token = SubmissionTokenField()


class OrderCancelForm(forms.Form):
    reason = reason_field(
        "Say why the order is cancelled.", "Kept on every line cancelled and in its history."
    )
    submission_token = SubmissionTokenField()


class LineQuantityForm(forms.Form):
    quantity = QuantityFormField(label="New quantity")
    reason = reason_field(
        "Say why the quantity changes.", "Recorded in the history of every document changed."
    )
    submission_token = SubmissionTokenField()

    def clean_quantity(self):
        try:
            return validate_quantity(self.cleaned_data["quantity"])
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from error


class LineRepromiseForm(forms.Form):
    scheduled_ship_date = forms.DateField(label="New scheduled ship date", widget=DateInput)
    reason = reason_field(
        "Say why the line is re-promised.", "Kept in the line's history with the old date."
    )
    submission_token = SubmissionTokenField()


class CloseShortForm(forms.Form):
    remainder = forms.ChoiceField(
        label="What happens to the quantity not delivered",
        choices=Remainder.CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the rest is supplied again or cancelled."},
    )
    reason = reason_field(
        "Say why the line is closed short.", "Recorded on the PO line and the split order line."
    )
    submission_token = SubmissionTokenField()


class ExceptionResolveForm(forms.Form):
    reason = reason_field(
        "Say why.", "Recorded on the exception with your name, and in the documents' history."
    )
    submission_token = SubmissionTokenField()


class ExceptionFilterForm(forms.Form):
    """The work area's filters; the choices are the owners and kinds of the open entries.

    Free values, not validated choices: a link that filters by a kind with no open entry
    shows an empty list rather than an error."""

    owner = forms.CharField(label="Owner role", required=False)
    kind = forms.CharField(label="Kind", required=False)
    q = forms.CharField(
        label="Document, order line or message",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )

    def __init__(self, *args, owners: list[str], kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for name, values in (("owner", owners), ("kind", kinds)):
            self.fields[name].widget = forms.Select(
                choices=[("", "All"), *[(value, value) for value in values]],
                attrs={"class": "form-select"},
            )
