"""Swagger UI and ReDoc from drf-spectacular-sidecar's static files, under the portal's CSP.

Swagger UI runs as it is under ``script-src 'self'``: the split view serves its start-up
script as a file of its own (``?script``), and our template has no inline style. ReDoc
draws with styled-components, which inserts ``<style>`` elements, and searches in a
``blob:`` worker: its page alone allows inline styles and blob workers; scripts stay
``'self'`` only.
"""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


@method_decorator(
    csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]}), name="dispatch"
)
class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"
