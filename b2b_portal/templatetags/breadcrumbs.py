"""``{% breadcrumbs %}``: the trail base.html shows above every page's content.

One rule for every page, read from the URL that answered (no copy per template):
``Area / List`` on a list page, ``Area / List / Number`` on a document page and
``Area / List / Number / Action`` on a page that acts on a document (``Area / List /
Action`` when there is no document yet: Create Order). The area and list come from
``navigation.CRUMB_LISTS``; the document is the page's ``object`` or the context's model
instance whose pk is the URL's, or the document of that line or hold
(``navigation.DOCUMENT_OF_LINE``); the action is ``ACTION_LABELS`` or the URL name humanised.
"""

from django import template
from django.db import models
from django.urls import reverse

from b2b_portal.links import viewable_url
from b2b_portal.navigation import action_label, crumb_list, document_of, may_open

register = template.Library()


def _document(context, pk):
    """The page's document: that of ``object``, else of the context's model instance with
    the URL's pk (a line's page shows the line's document)."""
    obj = context.get("object")
    if isinstance(obj, models.Model) and (document := document_of(obj)) is not None:
        return document
    if pk is None:
        return None
    for layer in context.dicts:
        for value in layer.values():
            if isinstance(value, models.Model) and str(value.pk) == str(pk):
                document = document_of(value)
                if document is not None:
                    return document
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
    area, list_label, list_name = listed
    list_url = reverse(list_name)
    if list_url == request.path:
        return {"crumbs": [(area, None), (list_label, list_url)]}
    # A crumb links only to a page the user may open (an AP clerk's Peg Trace names the
    # order and Manage Orders without a link); the page itself checks again.
    user = request.user
    crumbs = [(area, None), (list_label, list_url if may_open(user, list_name) else None)]
    document = _document(context, match.kwargs.get("pk"))
    if document is not None:
        # A requisition line has no page of its own: named, not linked.
        url = viewable_url(user, document)
        crumbs.append((str(document), url))
        if url == request.path:
            return {"crumbs": crumbs}
    crumbs.append((action_label(match.view_name), request.path))
    return {"crumbs": crumbs}
