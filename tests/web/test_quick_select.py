"""A list's search selects are written in Python (``b2b_portal.widgets.QuickSelect``) and
say what Django's template-rendered select says: options, selection, groups, escaping."""

import pytest
from django import forms
from django.test.html import parse_html

from b2b_portal.lists import SearchForm, StatusField
from b2b_portal.widgets import QuickSelect

CHOICES = [
    ("", "All"),
    ("Open", [("OPEN", "Open & <new>"), ("HOLD", "On hold")]),
    ("CLOSED", "Closed"),
]


class Search(SearchForm):
    status = StatusField([("OPEN", "Open"), ("CLOSED", "Closed")])
    grouped = forms.ChoiceField(choices=CHOICES, required=False)
    q = forms.CharField(required=False)


@pytest.mark.parametrize("data", [{}, {"status": "CLOSED", "grouped": "HOLD"}, {"status": "x"}])
def test_a_search_select_writes_what_djangos_select_writes(data):
    form = Search(data, user=None)
    form.is_valid()
    for name in ("status", "grouped"):
        quick = str(form[name])
        form.fields[name].widget.__class__ = forms.Select
        assert parse_html(quick) == parse_html(str(form[name]))
        assert isinstance(Search(user=None).fields[name].widget, QuickSelect)


def test_a_label_is_escaped_and_the_selected_option_marked():
    html = str(Search({"grouped": "OPEN"}, user=None)["grouped"])
    assert '<option value="OPEN" selected>Open &amp; &lt;new&gt;</option>' in html
    assert '<optgroup label="Open">' in html
