"""Saving and deleting a user's saved searches."""

from django.db import transaction
from django.http import QueryDict
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.http import urlencode

from b2b_portal.errors import PermissionRefused, ValidationRefused
from b2b_portal.lists import SearchableListMixin
from b2b_portal.permissions import require_permission

from .models import SavedSearch

NOT_A_LIST = "Only the search of a list page can be saved."
NAME_REQUIRED = "Name the search to save it."
NOT_YOURS = "This saved search is another user's."


def list_page(list_name: str) -> type[SearchableListMixin]:
    """The view of the list page named ``list_name`` (``procurement:po_list``); refused
    for any other name, so a saved search always opens a list page."""
    try:
        view = resolve(reverse(list_name)).func.view_class
    except (NoReverseMatch, Resolver404, AttributeError):
        raise ValidationRefused(NOT_A_LIST) from None
    if not issubclass(view, SearchableListMixin):
        raise ValidationRefused(NOT_A_LIST)
    return view


def search_query(view: type[SearchableListMixin], query: str) -> str:
    """The filters and sort of a list page's query string: the search form's fields and
    ``sort`` that have a value (not the page number, not an export)."""
    keep = {*view.search_form_class.base_fields, "sort"}
    params = QueryDict(query).lists()
    return urlencode([(k, v) for k, values in params if k in keep for v in values if v])


@transaction.atomic
def saved_search_save(*, actor, list_name: str, name: str, query: str) -> SavedSearch:
    """Save the search under ``name`` for ``actor`` on that list; the same name on the same
    list again replaces that search."""
    view = list_page(list_name)
    require_permission(actor, view.permission_required, "use this list")
    if not name.strip():
        raise ValidationRefused(NAME_REQUIRED)
    saved_search, _ = SavedSearch.objects.update_or_create(
        user=actor,
        list_name=list_name,
        name=name.strip(),
        defaults={"query": search_query(view, query)},
    )
    return saved_search


@transaction.atomic
def saved_search_delete(*, actor, saved_search: SavedSearch) -> None:
    """Delete one of ``actor``'s own saved searches (the view finds it among them only)."""
    if saved_search.user_id != actor.pk:
        raise PermissionRefused(NOT_YOURS)
    saved_search.delete()
