"""403, 404 and 500 inside the portal's layout, saying what happened and where to go
(DEBUG is off here as in production: these are the pages users get)."""

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from orchestration.views.dashboard import DashboardView

pytestmark = pytest.mark.django_db


def test_debug_is_off_as_in_production(settings):
    assert settings.DEBUG is False


def test_a_page_of_another_role_is_a_403_in_the_portal_with_the_way_home(client, users):
    client.force_login(users["clerk"])
    response = client.get(reverse("processes:run_list"))
    assert response.status_code == 403
    assert "403.html" in [template.name for template in response.templates]
    text = response.content.decode()
    assert 'aria-label="Main"' in text and "Manage Orders" in text  # the clerk's menu
    assert "Your role does not include this page" in text
    assert f'href="{reverse("home")}"' in text


def test_a_missing_document_is_a_404_in_the_portal_saying_why(client, users):
    client.force_login(users["clerk"])
    response = client.get(reverse("orders:detail", args=[999_999]))
    assert response.status_code == 404
    text = response.content.decode()
    assert 'aria-label="Main"' in text and "Manage Orders" in text
    assert "does not exist, or it belongs to a business unit you do not work in" in text
    assert f'href="{reverse("home")}"' in text


def test_an_unknown_address_is_a_404_in_the_portal(client, users):
    client.force_login(users["clerk"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_server_error_is_a_500_in_the_portal_saying_what_to_do(client, users, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(DashboardView, "get", broken)
    client.raise_request_exception = False
    client.force_login(users["clerk"])
    response = client.get(reverse("home"))
    assert response.status_code == 500
    text = response.content.decode()
    assert "Something went wrong on our side" in text
    assert 'id="content"' in text and f'href="{reverse("home")}"' in text
    assert "a bug" not in text  # nothing of the error reaches the page


def test_the_500_page_asks_nothing_of_the_database(rf, django_assert_num_queries):
    """The error may be the database itself: the page renders without a query (no menu,
    no context processors)."""
    handler = get_resolver().resolve_error_handler(500)
    with django_assert_num_queries(0):
        response = handler(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_an_expired_form_is_a_403_in_the_portal_saying_to_reload(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["clerk"])
    response = client.post(reverse("orders:create"), {})
    assert response.status_code == 403
    text = response.content.decode()
    assert "This page has expired" in text and 'aria-label="Main"' in text
