"""What every workbench list page shares: a search form, a whitelisted sort, pages of 25.

A list page is ``RoleRequiredMixin, UnitScopedMixin, SearchableListMixin, ListView`` with a
``queryset`` whose joins and aggregates are declared (``select_related``, annotations,
``b2b_portal.queries.lines_aggregate``): the page then costs the same queries at 5 rows as
at 200. It names
its ``search_form_class`` and its ``columns``, and says what the search matches in
``filter_queryset`` (the fields) and ``text_match`` (the free text). Rows are only ever
ordered by a column's declared field, so ``?sort=`` cannot name an arbitrary column.

Its template includes ``includes/filters_bar.html`` (with the Export menu),
``includes/sortable_headings.html`` (the table's ``<thead>``) and ``includes/pagination.html``.

``?export=csv`` or ``?export=xlsx`` on the page's address downloads every row of the search
(all pages, same sort) through ``b2b_portal.exports``: each column with a ``value`` is a
column of the file, named ``export_name`` and the date.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage
from django.db.models import F, Q
from django.forms.models import ModelChoiceIterator
from django.utils import timezone

from .exports import EXPORTS, ExportColumn
from .numbers import document_number
from .widgets import QuickSelect


class DocumentNumberField(forms.CharField):
    """A document number as users type it; cleans to the document's primary key."""

    default_error_messages = {"invalid": "Enter a number such as %(prefix)s-000123 or 123."}

    def __init__(self, *, prefix: str, **kwargs):
        self.prefix = prefix
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": f"{prefix}-1234"}))
        super().__init__(required=False, max_length=30, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        number = document_number(text, self.prefix)
        if number is None:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"prefix": self.prefix}
            )
        return number


class StatusField(forms.TypedChoiceField):
    """A status to search by; the first choice, all statuses, cleans to None."""

    def __init__(self, statuses, *, empty_label="All statuses", **kwargs):
        choices = [("", empty_label), *statuses]
        super().__init__(choices=choices, required=False, empty_value=None, **kwargs)


class ListedChoices(ModelChoiceIterator):
    """A search select's master data read by one plain query: Django reads choices through
    a server-side cursor (``DECLARE ... WITH HOLD``, fetch, close), three round trips for a
    few rows on every list request."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class SearchForm(forms.Form):
    """The GET search of a list page; ``user`` is there for choices narrowed to the user's
    business units. A free-text box is named ``q`` (see ``SearchableListMixin.text_match``)."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Bootstrap classes here: django-bootstrap5 would paint every bound search "valid".
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if is_select else "form-control"
            if isinstance(field, forms.ModelChoiceField):
                field.iterator = ListedChoices
            if type(field.widget) is forms.Select:  # rendered on every list request
                field.widget = QuickSelect(attrs=field.widget.attrs, choices=field.choices)


@dataclass(frozen=True)
class Column:
    """A heading of a list table; sortable when it has a ``?sort=`` key and the field or
    annotation that key orders by. A ``hidden`` label is read by screen readers only.

    Exported when it has a ``value``: a dotted path on the row (``customer.name``,
    ``get_status_display``) or a function of the row, of ``kind`` "money" or "quantity"
    for numbers, "date" for a moment the page shows as its day; ``currency`` (a path)
    adds the amount's currency code as the next column. A column without a value (a
    checkbox, a button) is not exported."""

    label: str
    sort: str = ""
    order_by: str = ""
    css: str = ""
    hidden: bool = False
    value: str | Callable = ""
    kind: str = ""
    currency: str = ""

    def export_columns(self) -> list[ExportColumn]:
        if not self.value:
            return []
        amount = ExportColumn(self.label, self.value, self.kind)
        return [amount, ExportColumn("Currency", self.currency)] if self.currency else [amount]


class LastPageMixin:
    """The paging rule of every list: a ``?page=`` that is no page of it (``abc``, ``0``,
    ``99999``, a bookmark from when the list was longer) shows the last page, not a 404."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        try:
            number = paginator.validate_number(self.request.GET.get(self.page_kwarg) or 1)
        except InvalidPage:
            number = paginator.num_pages
        page = paginator.page(number)
        return paginator, page, page.object_list, page.has_other_pages()


class SearchableListMixin(LastPageMixin):
    """A ListView searched by ``search_form_class``, sorted by ``?sort=`` (``-`` descends)
    among the sortable ``columns``, 25 rows a page.

    The context gets ``search`` (the form) and ``columns``: per heading its ``label``,
    ``css``, ``hidden``, the sort its link asks for (``next``, the reverse of the current
    one; None when not sortable) and ``aria`` ("ascending"/"descending" when the rows are
    sorted by it).
    """

    paginate_by = 25
    search_form_class: type[SearchForm]
    columns: list[Column] = []
    default_sort = "-number"
    export_name: str

    def get(self, request, *args, **kwargs):
        export = EXPORTS.get(request.GET.get("export", ""))
        if export is None:
            return super().get(request, *args, **kwargs)
        columns = [cell for column in self.columns for cell in column.export_columns()]
        filename = f"{self.export_name}-{timezone.localdate():%Y-%m-%d}"
        return export(self.get_queryset(), columns, filename)

    def get_queryset(self):
        queryset = super().get_queryset()
        self.search = self.search_form_class(self.request.GET or None, user=self.request.user)
        if self.search.is_bound:
            if not self.search.is_valid():
                return queryset.none()  # the form says which criterion is wrong
            data = self.search.cleaned_data
            queryset = self.filter_queryset(queryset, data)
            if data.get("q"):
                queryset = queryset.filter(self.text_match(data["q"]))
        return self.sorted(queryset)

    def filter_queryset(self, queryset, data: dict):
        """The rows that match the search's fields other than ``q``."""
        return queryset

    def text_match(self, text: str) -> Q:
        """What the text typed in ``q`` matches (a name, a document number...)."""
        raise NotImplementedError

    @property
    def sort_fields(self) -> dict[str, str]:
        return {column.sort: column.order_by for column in self.columns if column.sort}

    def current_sort(self) -> str:
        sort = self.request.GET.get("sort", "")
        return sort if sort.removeprefix("-") in self.sort_fields else self.default_sort

    def sorted(self, queryset):
        sort = self.current_sort()
        name = self.sort_fields[sort.removeprefix("-")]
        if name == "pk":  # never NULL: a plain order walks the primary key's index
            return queryset.order_by(sort.replace(sort.removeprefix("-"), "pk"))
        field = F(name)
        order = field.desc(nulls_last=True) if sort.startswith("-") else field.asc(nulls_last=True)
        # The primary key breaks ties (newest first), so that pages never repeat or skip a row.
        return queryset.order_by(order, "-pk")

    def get_context_data(self, **kwargs):
        sort = self.current_sort()
        columns = [heading(column, sort) for column in self.columns]
        return super().get_context_data(search=self.search, columns=columns, **kwargs)


def heading(column: Column, sort: str) -> dict:
    key = column.sort
    return {
        "label": column.label,
        "css": column.css,
        "hidden": column.hidden,
        "next": (f"-{key}" if sort == key else key) or None,
        "aria": {key: "ascending", f"-{key}": "descending"}.get(sort) if key else None,
    }
