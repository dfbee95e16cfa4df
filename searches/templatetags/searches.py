from django import template

register = template.Library()


@register.inclusion_tag("searches/menu.html", takes_context=True)
def saved_search_menu(context):
    """The Saved filters menu of a list page: the user's saved searches of this list, and
    the form that saves the search in the address."""
    request = context["request"]
    list_name = request.resolver_match.view_name
    return {
        "csrf_token": context.get("csrf_token"),
        "list_name": list_name,
        "query": request.GET.urlencode(),
        "saved_searches": request.user.saved_searches.filter(list_name=list_name),
    }
