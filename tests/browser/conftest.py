"""Browser tests: Playwright (pytest-playwright) driving Debian's Chromium against
pytest-django's ``live_server``.

- The browser is the machine's ``/usr/bin/chromium`` (``apt-get install -y chromium``;
  ``make test`` and ``.ci/run`` install it when missing). Playwright's own browser builds are
  never downloaded: ``playwright install`` is not part of the setup.
- Playwright's sync API runs an event loop in the test's thread, and Django refuses ORM calls
  from a thread with a running loop unless ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set. The tests
  and the live server never share a connection, so the check has nothing to protect here.
- ``live_server`` makes every test transactional: the server thread sees what the test
  commits (``world`` and friends work as elsewhere), and the tables are emptied afterwards.
- ``base_url`` is the live server, so ``page.goto("/processes/")`` works.
- ``login(page, live_server, username)`` signs in through the login form,
  ``logout(page)`` through the navbar's Sign out button, ``shot(page, name)`` saves a full
  page screenshot as ``test-output/screenshots/<name>.png``.
- Every page opens at 1,366 x 768, the smallest laptop screen our users have;
  ``assert_page_reads_well(page, name)`` fails on leaked template syntax, a "None" printed
  for an empty value, a horizontal scrollbar at that width, or a page outside the portal's
  layout (Django's bare error pages).
"""

import os
import re
from pathlib import Path

import pytest

from b2b_portal.roles import DEMO_PASSWORD

# Before any test touches the database (see the module docstring).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
# The smallest laptop screen our users have: no page may scroll sideways at this width.
VIEWPORT = {"width": 1366, "height": 768}
# Template syntax that reached the reader (a {# #} comment over two lines is printed as text),
# and Python's None printed for an empty value.
LEAKS = re.compile(r"\{#|#\}|\{%|%\}|\{\{|\}\}|\bNone\b")
# Long enough for a cold page on a busy 2-core machine running two xdist workers.
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items):
    """Every test in this folder is a browser test (``-m browser`` / ``-m "not browser"``)."""
    folder = Path(__file__).parent
    for item in items:
        if folder in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options, pointed at Debian's Chromium."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests use Debian's Chromium. Install it with "
            "`apt-get install -y chromium` (make test and .ci/run do this when run as root); "
            "never `playwright install`."
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT}


@pytest.fixture(scope="session")
def base_url(live_server):
    """Relative URLs in ``page.goto("/orders/")`` go to the live server (and every test
    that opens a page is transactional, as ``live_server`` is in its fixtures)."""
    return live_server.url


@pytest.fixture
def page(page):
    page.set_default_timeout(TIMEOUT_MS)
    return page


def login(page, live_server, username: str, password: str = DEMO_PASSWORD):
    """Sign in through the login form and land on the home dashboard."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    signed_in = page.get_by_test_id("signed-in-user")
    signed_in.wait_for()
    assert signed_in.inner_text() == username, f"signed in as {signed_in.inner_text()!r}"
    return page


def logout(page):
    """Sign out with the navbar's button (a POST form); the login page comes back."""
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert page.get_by_test_id("signed-in-user").count() == 0
    return page


def shot(page, name: str) -> Path:
    """Save a full-page screenshot as ``test-output/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_page_reads_well(page, name: str, *, portal_layout: bool = True):
    """What a reader must never meet on a page: template syntax or "None" in the text, a
    page wider than the window (buttons off-screen), a page without the portal's layout
    (Django's bare 403/404/500; ``portal_layout=False`` for the admin's own pages)."""
    text = page.locator("body").inner_text()
    leaks = sorted({match.group() for match in LEAKS.finditer(text)})
    assert not leaks, f"{name}: {leaks} in the visible text of {page.url}"
    width, window = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width <= window, f"{name}: {page.url} is {width} px wide in a {window} px window"
    assert not portal_layout or page.locator("main#content").count() == 1, (
        f"{name}: {page.url} is not in the portal's layout: {text[:200]!r}"
    )
