"""Security headers: the Content-Security-Policy with no inline script or style, the
Permissions-Policy, the same in production as in the tests; no Server banner from gunicorn;
no template that the policy would break."""

import importlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from b2b_portal.security_headers import permissions_policy_header

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = PROJECT_ROOT / "templates"
# What the policy refuses in a template: inline handlers, style attributes, <style>, and
# <script> without src.
INLINE = re.compile(
    r"""\son[a-z]+\s*=|\sstyle\s*=|<style[\s>]|<script(?![^>]*\bsrc=)[^>]*>""", re.IGNORECASE
)
SWITCHED_OFF = ["camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"]


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


@pytest.mark.django_db
def test_every_page_gets_a_policy_without_inline_script_or_style(client):
    response = client.get(reverse("login"))
    policy = directives(response["Content-Security-Policy"])

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "unsafe" not in response["Content-Security-Policy"]
    for feature in SWITCHED_OFF:
        assert feature in response["Permissions-Policy"].split(", ")


@pytest.mark.django_db
def test_static_files_carry_the_headers_too(client):
    response = client.get("/static/portal/portal.js")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response and "Permissions-Policy" in response


def test_the_permissions_policy_header_is_built_from_the_setting():
    assert permissions_policy_header({"camera": [], "fullscreen": ["self"]}) == (
        "camera=(), fullscreen=(self)"
    )


def test_production_sends_the_same_headers_as_the_tests(monkeypatch):
    """The browser test (tests/browser/test_csp.py) runs under production's policy."""
    for name, value in {
        "SECRET_KEY": "x" * 60,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/b2b_portal",
        "ALLOWED_HOSTS": "portal.example.com",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delitem(sys.modules, "b2b_portal.settings.production", raising=False)
    production = importlib.import_module("b2b_portal.settings.production")

    assert production.CONTENT_SECURITY_POLICY == settings.CONTENT_SECURITY_POLICY
    assert production.PERMISSIONS_POLICY == settings.PERMISSIONS_POLICY
    assert production.MIDDLEWARE == settings.MIDDLEWARE
    assert production.AUTHENTICATION_BACKENDS == settings.AUTHENTICATION_BACKENDS
    assert production.AXES_FAILURE_LIMIT == settings.AXES_FAILURE_LIMIT == 5


def test_no_template_has_inline_script_or_style():
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if INLINE.search(line)
    ]
    assert not found, "Inline script or style (refused by the CSP):\n" + "\n".join(found)


def test_the_inline_pattern_catches_what_the_policy_refuses():
    refused = [
        '<button onclick="window.print()">',
        '<td style="min-width: 2rem">',
        "<style>.a {}</style>",
        "<script>alert(1)</script>",
    ]
    allowed = ['<script src="/static/portal/portal.js" defer></script>', '<td class="num">']
    assert all(INLINE.search(text) for text in refused)
    assert not any(INLINE.search(text) for text in allowed)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_sends_no_server_banner(tmp_path):
    """gunicorn.conf.py as the image runs it; a static file needs no database."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "b2b_portal.settings.test",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "b2b_portal.wsgi"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            response = wait_for(f"http://127.0.0.1:{port}/static/portal/portal.css", log)
            assert response.status == 200
            assert response.headers["Server"] is None
            assert "Content-Security-Policy" in response.headers
        finally:
            server.terminate()
            server.wait(timeout=30)


def wait_for(url: str, log: Path, seconds: float = 120):
    """The first answer of a server starting on a busy machine."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return urllib.request.urlopen(url, timeout=5)
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer at {url}:\n{log.read_text()}")
            time.sleep(0.3)
