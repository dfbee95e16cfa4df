from django import forms

from .models import SavedSearch
from .services import NAME_REQUIRED


class SavedSearchForm(forms.ModelForm):
    """Save this search: its name typed by the user; the list and the query come from the
    page (hidden)."""

    class Meta:
        model = SavedSearch
        fields = ["list_name", "name", "query"]
        widgets = {"list_name": forms.HiddenInput, "query": forms.HiddenInput}
        labels = {"name": "Name"}
        error_messages = {"name": {"required": NAME_REQUIRED}}
