"""Password reset by email with Django's auth views, in the portal's own pages."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-Passw0rd-for-clerk"
LINK = re.compile(r"https?://[^/\s]+(/accounts/reset/\S+/)")


@pytest.fixture
def clerk():
    return UserFactory(username="clerk", email="clerk@example.com", role="Order Entry Clerk")


def test_the_reset_mail_is_sent_and_its_link_sets_a_new_password(client, clerk):
    form = client.get(reverse("password_reset"))
    assert form.status_code == 200
    assert "registration/password_reset_form.html" in [t.name for t in form.templates]
    assert "base.html" in [t.name for t in form.templates]  # the portal's layout

    sent = client.post(reverse("password_reset"), {"email": "clerk@example.com"})
    assert sent.status_code == 302 and sent["Location"] == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.to == ["clerk@example.com"]
    assert message.subject == "B2B Order Portal: reset your password"
    link = LINK.search(message.body).group(1)

    # Django swaps the token in the link for one in the session, then shows the form.
    confirm = client.get(link, follow=True)
    assert confirm.status_code == 200 and confirm.context["validlink"]
    changed = client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert changed["Location"] == reverse("password_reset_complete")

    clerk.refresh_from_db()
    assert clerk.check_password(NEW_PASSWORD)
    signed_in = client.post(reverse("login"), {"username": "clerk", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302 and "_auth_user_id" in client.session
    # The link works once.
    assert client.get(link, follow=True).context["validlink"] is False


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, clerk):
    sent = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert sent.status_code == 302 and sent["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
    clerk.refresh_from_db()
    assert clerk.check_password("demo1234")


def test_the_sign_in_pages_link_to_the_reset(client):
    reset = reverse("password_reset")
    assert f'href="{reset}"' in client.get(reverse("login")).content.decode()
    admin_login = client.get(reverse("admin:login")).content.decode()
    assert f'href="{reverse("admin_password_reset")}"' in admin_login
