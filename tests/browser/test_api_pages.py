"""The REST API's pages in Chromium: the token page (make a key, see it once, revoke it),
and Swagger UI and ReDoc rendering the schema from the sidecar's files under the portal's
Content-Security-Policy, with no request leaving the live server."""

import re

import pytest
from django.urls import reverse

from tests.browser import test_csp
from tests.browser.conftest import login, shot

# The CSP walk's page: records every violation, console and event (tests/browser/test_csp.py).
watched = test_csp.watched
# ReDoc's sidebar always shows Redocly's logo from their CDN; the policy's img-src blocks it
# (so nothing is fetched from there), and the browser reports that block.
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"

pytestmark = pytest.mark.django_db(transaction=True)


def _requests_elsewhere(page, live_server) -> list[str]:
    """The URLs fetched from anywhere but the live server (a request the CSP blocks is
    never finished, so it is not among them)."""
    elsewhere = []
    page.on(
        "requestfinished",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "data:", "blob:"))
            else elsewhere.append(request.url)
        ),
    )
    return elsewhere


def test_the_token_page_makes_shows_once_and_revokes(watched, live_server, world):
    page = watched
    login(page, live_server, "clerk")
    page.get_by_role("link", name="API tokens").click()
    page.wait_for_url(re.compile(r"/api/tokens/$"))
    page.get_by_label("Name").fill("ERP connector")
    page.get_by_role("button", name="Create token").click()
    key = page.get_by_test_id("new-token-key").inner_text()
    assert key.startswith("b2b_")
    shot(page, "api-token-created")
    orders = f"{live_server.url}{reverse('api:order-list')}"
    token_header = {"Authorization": f"Token {key}"}
    assert page.request.get(orders, headers=token_header).status == 200

    page.visit("api-tokens", reverse("api:tokens"))
    assert page.get_by_test_id("new-token-key").count() == 0  # shown once only
    page.get_by_role("button", name="Revoke ERP connector").click()
    page.get_by_text("is revoked: it no longer opens the API").wait_for()
    shot(page, "api-token-revoked")
    assert page.request.get(orders, headers=token_header).status == 401
    assert not page.violations.found, page.violations.found


def test_swagger_ui_renders_from_the_sidecar_under_the_csp(watched, live_server, world):
    page = watched
    elsewhere = _requests_elsewhere(page, live_server)
    response = page.goto(f"{live_server.url}{reverse('api:swagger')}")
    header = response.headers["content-security-policy"]
    assert "script-src 'self'" in header and "unsafe" not in header, header
    page.locator(".swagger-ui .info .title").get_by_text("B2B Order Portal API").wait_for()
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() == 38  # every operation of the schema
    page.wait_for_load_state("networkidle")
    page.violations.events(page, "swagger")
    shot(page, "api-swagger-ui")
    assert not page.violations.found, page.violations.found
    assert not elsewhere, elsewhere


def test_redoc_renders_from_the_sidecar(watched, live_server, world):
    page = watched
    elsewhere = _requests_elsewhere(page, live_server)
    response = page.goto(f"{live_server.url}{reverse('api:redoc')}")
    header = response.headers["content-security-policy"]
    assert "script-src 'self';" in header, header  # only styles are relaxed on this page
    page.get_by_role("heading", name=re.compile("B2B Order Portal API")).first.wait_for()
    page.get_by_text("/api/orders/{id}/book/").first.wait_for(state="attached")
    page.wait_for_load_state("networkidle")
    page.violations.events(page, "redoc")
    shot(page, "api-redoc")
    others = [found for found in page.violations.found if REDOCLY_LOGO not in found]
    assert not others, others
    assert not elsewhere, elsewhere
