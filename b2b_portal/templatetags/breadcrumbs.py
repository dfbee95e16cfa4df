"""``{% breadcrumbs %}``: the trail base.html shows above every page's content.

One rule for every page, read from the URL that answered (no copy per template):
``Area / List`` on a list page, ``Area / List / Number`` on a document page and
``Area / List / Number / Action`` on a page that acts on a document (``Area / List /
Action`` when there is no document yet: Create Order). The area and list come from
``navigation.CRUMB_LISTS``; the document is the page's ``object`` or the context's model
instance whose pk is the URL's; the action is ``ACTION_LABELS`` or the URL name humanised.
"""

from django import template
from django.db import models

from b2b_portal.navigation import action_label, crumb_list

register = template.Library()


def _document(context, pk):
    """The page's document: ``object``, else the context's model instance with the URL's pk."""
    obj = context.get("object")
    if isinstance(obj, models.Model) and hasattr(obj, "get_absolute_url"):
        return obj
    if pk is None:
        return None
    for layer in context.dicts:
        for value in layer.values():
            if (
                isinstance(value, models.Model)
                and str(value.pk) == str(pk)
                and hasattr(value, "get_absolute_url")
            ):
                return value
    return None


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None or not request.user.is_authenticated:
        return {"crumbs": []}
    listed = crumb_list(match.namespace, match.url_name or "")
    if listed is None:
        return {"crumbs": []}
    area, list_label, list_url = listed
    crumbs = [(area, None), (list_label, list_url)]
    if list_url == request.path:
        return {"crumbs": crumbs}
    document = _document(context, match.kwargs.get("pk"))
    if document is not None:
        crumbs.append((str(document), document.get_absolute_url()))
        if crumbs[-1][1] == request.path:
            return {"crumbs": crumbs}
    crumbs.append((action_label(match.view_name), request.path))
    return {"crumbs": crumbs}
