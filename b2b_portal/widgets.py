"""Form widgets every workbench shares."""

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker. Its value must be an ISO date whatever the locale, or
    the browser shows the field empty."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
