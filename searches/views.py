"""Save this search and delete a saved search, from a list page's toolbar; each goes back
to the list (a saved search opens it with its filters)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.views import View

from b2b_portal.errors import ApplicationError

from .forms import SavedSearchForm
from .models import SavedSearch
from .services import list_page, saved_search_delete, saved_search_save

SAVED = '"{name}" is saved under Saved filters.'
DELETED = '"{name}" is deleted from Saved filters.'


def back_to_list(list_name: str):
    """The list the form came from; home when the name is no list (never a URL given)."""
    try:
        list_page(list_name)
    except ApplicationError:
        return redirect("home")
    return redirect(list_name)


class SavedSearchSaveView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        form = SavedSearchForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return back_to_list(request.POST.get("list_name", ""))
        data = form.cleaned_data
        try:
            saved_search = saved_search_save(
                actor=request.user,
                list_name=data["list_name"],
                name=data["name"],
                query=data["query"],
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            return back_to_list(data["list_name"])
        messages.success(request, SAVED.format(name=saved_search.name))
        return redirect(saved_search)


class SavedSearchDeleteView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        # Among the user's own only: another user's saved search is a 404.
        saved_search = get_object_or_404(SavedSearch, pk=pk, user=request.user)
        saved_search_delete(actor=request.user, saved_search=saved_search)
        messages.success(request, DELETED.format(name=saved_search.name))
        return back_to_list(saved_search.list_name)
