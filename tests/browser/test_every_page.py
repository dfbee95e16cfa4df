"""Issue 12, acceptance 1: every page of the portal, opened in Chromium at 1,366 px by a
role that may open it, reads well (``assert_page_reads_well``: no template syntax or "None"
in the text, no horizontal scrollbar, the portal's layout, never Django's bare error page).

The pages are the permission matrix's: every named URL of the portal's namespaces, read
from the URL resolver and filled with the documents of one order driven through the whole
cycle (``documents``), so a page added tomorrow is walked without editing this file. Each
is opened by the first role of ``ROLE_USERS`` allowed to (the administrator last), and kept
as ``test-output/screenshots/page-<url name>.png``. An order with a line cancelled for a
long reason is walked too (its reason once made the order page 1,796 px wide), and the
clerk's 403 and 404 pages, which must be the portal's own. Every page but home, sign-in
and the error pages shows its breadcrumb trail (``assert_has_breadcrumbs``).
"""

import pytest
from django.urls import reverse

from tests.browser.conftest import assert_page_reads_well, login, logout, shot
from tests.helpers import cancel, place_order
from tests.web import test_permission_matrix as matrix

# The permission matrix's fixture: one order carried through the whole cycle.
documents = matrix.documents

# htmx answers: parts of a page, swapped into the page that asked for them.
FRAGMENTS = {"orders:line_new", "orders:line_price"}
# Files, not pages: their print pages are walked, and tests/web/test_document_pdfs.py
# reads each PDF back.
PDFS = {
    "procurement:po_pdf",
    "shipping:wave_pdf",
    "shipping:shipment_pdf",
    "invoicing:ap_pdf",
    "invoicing:ar_pdf",
    "invoicing:credit_memo_pdf",
}
# Pages without the breadcrumb trail: home is the root, the error pages say where to go,
# and the API's documentation pages are Swagger's and ReDoc's own layouts.
NO_BREADCRUMBS = {"home", "login", "403", "404", "api:swagger", "api:redoc"}
LONG_REASON = (
    "The customer's purchasing department cancelled this line after their own customer "
    "postponed the data-centre rollout to next year; see ticket "
    "CUSTOMER-PROCUREMENT-ESCALATION-2026-000123456789-ROLLOUT-POSTPONED for the letter."
)


def pages_by_user(documents) -> dict[str, list[tuple[str, str]]]:
    """(URL name, URL) of every page, under the first role allowed to open it."""
    users = [documents.users[name] for name in matrix.ROLE_USERS]
    users.sort(key=lambda user: user.is_superuser)  # the administrator only where none else
    walk = {user.username: [] for user in users}
    for action in matrix.build_action_urls():
        if action.problem or action.method != "get" or action.name in FRAGMENTS | PDFS:
            continue
        user = next((user for user in users if action.allows(user)), None)
        assert user is not None, f"no role may open {action.name}"
        walk[user.username].append((action.name, action.url))
    return walk


@pytest.fixture
def order_cancelled_at_length(documents):
    order = place_order(documents, ("SRV-DL380-G11", "2"), ("STO-A400-96T", "1"))
    cancel(documents, order.lines.order_by("line_number").first(), reason=LONG_REASON)
    return order


def assert_has_breadcrumbs(page, name):
    """Every page but home and the error pages shows the trail, ending at this page."""
    trail = page.locator('nav[aria-label="Breadcrumb"] ol.breadcrumb')
    assert trail.count() == 1, f"{name}: {page.url} has no breadcrumb nav"
    current = trail.locator('li[aria-current="page"]')
    assert current.count() == 1, f"{name}: {page.url}'s breadcrumbs mark no current page"


def test_every_page_reads_well_at_1366_px(page, live_server, documents, order_cancelled_at_length):
    walk = pages_by_user(documents)
    assert sum(len(pages) for pages in walk.values()) >= 45, walk
    walk["clerk"] += [
        ("order-cancelled-at-length", order_cancelled_at_length.get_absolute_url()),
        ("403", reverse("processes:run_list")),
        ("404", reverse("orders:detail", args=[999_999])),
    ]
    problems = []
    for username, pages in walk.items():
        if not pages:
            continue
        login(page, live_server, username)
        for name, url in pages:
            response = page.goto(url)
            shot(page, f"page-{name.replace(':', '-')}")
            try:
                expected = int(name) if name in ("403", "404") else 200
                assert response.status == expected, f"{name}: {url} answered {response.status}"
                if response.headers["content-type"].startswith("text/html"):
                    assert_page_reads_well(page, name)  # not a JSON answer or a PDF
                    if name not in NO_BREADCRUMBS:
                        assert_has_breadcrumbs(page, name)
            except AssertionError as error:
                problems.append(f"{username}: {error}")
        page.goto("/")
        logout(page)
    assert not problems, "\n".join(problems)
