"""Documents as PDF: a print page's own HTML set by WeasyPrint, with nothing fetched over
the network (docs/decisions.md).

A print view answers as a PDF when built with ``as_view(pdf=True)``: the same template,
context, permission and business-unit scoping as the page, so the paper and the screen
never differ, except for the stylesheet: base.html gives a PDF (``pdf`` in the context)
``portal/pdf.css``, a few rules as paper shows them, instead of Bootstrap, which WeasyPrint
took 1-2 s to parse for every PDF. WeasyPrint reads it through ``StaticOnlyURLFetcher``,
which serves the project's static files from disk and refuses every other URL.
"""

import mimetypes
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

PDF_CONTENT_TYPE = "application/pdf"


class FetchRefused(ValueError):
    """A URL the PDF may not load: anything but the project's static files."""


def static_file_path(name: str) -> str | None:
    """The file on disk of a static name: collected (production, hashed names) or found in
    the apps and packages (development and tests). None for anything else, ``..`` included."""
    try:
        if staticfiles_storage.exists(name):
            return staticfiles_storage.path(name)
        return finders.find(name)
    except Exception:  # a name outside the static roots (SuspiciousFileOperation, ...)
        return None


class StaticOnlyURLFetcher(URLFetcher):
    """Serves ``<base_url><STATIC_URL>...`` from disk and inline ``data:`` URLs; refuses
    everything else, so rendering a document never opens a connection."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(allowed_protocols=("data",), **kwargs)
        self.static_prefix = base_url.rstrip("/") + "/" + settings.STATIC_URL.lstrip("/")

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if not url.startswith(self.static_prefix):
            raise FetchRefused(f"Not a static file of the portal: {url}")
        name = unquote(urlsplit(url).path).removeprefix(urlsplit(self.static_prefix).path)
        path = static_file_path(name)
        if path is None:
            raise FetchRefused(f"No such static file: {url}")
        with open(path, "rb") as static_file:
            body = static_file.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, headers={"Content-Type": content_type})


def render_pdf(html: str, *, base_url: str) -> bytes:
    return HTML(
        string=html, base_url=base_url, url_fetcher=StaticOnlyURLFetcher(base_url)
    ).write_pdf()


class PDFMixin:
    """A print view's PDF twin (``as_view(pdf=True)``); the file is named by the
    document's number."""

    pdf = False

    def get_context_data(self, **kwargs):
        return super().get_context_data(pdf=self.pdf, **kwargs)

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if not self.pdf:
            return response
        base_url = self.request.build_absolute_uri("/")
        pdf = HttpResponse(
            render_pdf(response.rendered_content, base_url=base_url),
            content_type=PDF_CONTENT_TYPE,
        )
        pdf["Content-Disposition"] = f'inline; filename="{self.object.number}.pdf"'
        return pdf
