"""Links from one page to a document's own page, for the views of every app.

A document links to its page through ``get_absolute_url``; some kinds (a supply order, a
requisition, a reservation) have no page of their own and are shown without a link.
"""


def document_url(document) -> str | None:
    """The document's own page, or None for a kind of document that has none."""
    get_absolute_url = getattr(document, "get_absolute_url", None)
    return None if get_absolute_url is None else get_absolute_url()


def viewable_url(user, document) -> str | None:
    """The document's page for a user who may view that kind of document, else None (a
    link the user would only be refused on); the page checks again."""
    opts = document._meta
    if not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
        return None
    return document_url(document)
