"""A list page's own search for an API list: its form and its filter, so both find the same
documents. The API names the party by its number (master data by code) where the page's
select sends an id, and adds ``number``, the document's number."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from b2b_portal.lists import DocumentNumberField, SearchableListMixin, SearchForm
from processes.batching import filter_by

from .views import valid_query


def api_search_form(page_form: type[SearchForm], *, prefix: str, party: str) -> type:
    """``page_form`` with ``party`` chosen by its number and a ``number`` of ``prefix``."""

    class ApiSearchForm(page_form):
        number = DocumentNumberField(prefix=prefix)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields[party].to_field_name = "number"

    return ApiSearchForm


def page_search(page: type[SearchableListMixin], queryset, form):
    """The rows the page's search finds (400 for a criterion its form refuses)."""
    data = valid_query(form)
    view = page()
    queryset = view.filter_queryset(queryset, data)
    if data["q"]:
        queryset = queryset.filter(view.text_match(data["q"]))
    return filter_by(queryset, pk=data["number"])


def search_parameters(*, prefix: str, q: str, party: str, statuses, dates: str = "") -> list:
    """The schema's parameters of an ``api_search_form``."""
    parameters = [
        OpenApiParameter("number", str, description=f"{prefix}-000123 or 123"),
        OpenApiParameter("q", str, description=q),
        OpenApiParameter("status", str, enum=list(statuses)),
        OpenApiParameter(party, str, description=f"The {party}'s number"),
    ]
    if dates:
        parameters += [
            OpenApiParameter(f"{dates}_from", OpenApiTypes.DATE),
            OpenApiParameter(f"{dates}_to", OpenApiTypes.DATE),
        ]
    return parameters
