"""Sign-in throttling (django-axes, on the real settings): five wrong passwords lock a
username for the cool-off, with one message whether or not the user exists; the portal's
and the admin's sign-in count together; an administrator unlocks from the admin."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from b2b_portal.login_lockout import locked_out_message
from b2b_portal.roles import DEMO_PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")
WRONG = "not-the-password"
BAD_CREDENTIALS = "Please enter a correct username and password."
CSRF_TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def sign_in(client, username, password, url=LOGIN):
    return client.post(url, {"username": username, "password": password})


def fail(client, username, times, url=LOGIN):
    return [sign_in(client, username, WRONG, url) for _ in range(times)]


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def page_text(response) -> str:
    """The page with its CSRF tokens blanked: the rest must not depend on the username."""
    return CSRF_TOKEN.sub(r"\1", response.content.decode())


@pytest.fixture
def clerk():
    return UserFactory(username="clerk", role="Order Entry Clerk")


def test_the_lockout_message_says_for_how_long():
    assert locked_out_message() == (
        "Too many failed sign-ins with this username: it is locked for 15 minutes. "
        "Try again later, or ask an administrator to unlock it."
    )


def test_five_wrong_passwords_lock_the_user_out_even_with_the_right_one(client, clerk):
    *first_four, fifth = fail(client, "clerk", 5)
    assert [r.status_code for r in first_four] == [200] * 4
    assert all(BAD_CREDENTIALS in r.content.decode() for r in first_four)
    assert fifth.status_code == 429
    assert locked_out_message() in fifth.content.decode()

    right = sign_in(client, "clerk", DEMO_PASSWORD)

    assert right.status_code == 429
    assert locked_out_message() in right.content.decode()
    assert not signed_in(client)
    assert client.get(reverse("home")).status_code == 302  # still sent to sign in
    assert AccessAttempt.objects.get(username="clerk").failures_since_start >= 5


def test_an_unknown_username_gets_the_same_answers_as_a_real_one(client, clerk):
    real = fail(client, "clerk", 6)
    unknown = fail(client, "nobody-here", 6)

    assert (
        [r.status_code for r in real] == [r.status_code for r in unknown] == [200] * 4 + [429] * 2
    )
    for real_page, unknown_page in zip(real, unknown, strict=True):
        assert page_text(real_page).replace("clerk", "nobody-here") == page_text(unknown_page)
    assert locked_out_message() in unknown[-1].content.decode()


def test_the_admin_sign_in_is_locked_too_and_shares_the_count(client, clerk):
    fail(client, "clerk", 3)
    fourth, fifth = fail(client, "clerk", 2, url=ADMIN_LOGIN)
    assert fourth.status_code == 200
    assert fifth.status_code == 429
    assert locked_out_message() in fifth.content.decode()
    assert sign_in(client, "clerk", DEMO_PASSWORD).status_code == 429
    assert not signed_in(client)


def test_other_users_are_not_locked(client, clerk):
    UserFactory(username="buyer", role="Buyer")
    fail(client, "clerk", 5)
    assert sign_in(client, "buyer", DEMO_PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_clears_the_failures(client, clerk):
    fail(client, "clerk", 4)
    assert sign_in(client, "clerk", DEMO_PASSWORD).status_code == 302
    client.post(reverse("logout"))
    assert [r.status_code for r in fail(client, "clerk", 4)] == [200] * 4


def test_the_lock_lifts_after_the_cool_off(client, clerk):
    fail(client, "clerk", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(client, "clerk", DEMO_PASSWORD).status_code == 302
    assert signed_in(client)


def test_an_administrator_unlocks_the_user_from_the_admin(client, clerk):
    fail(client, "clerk", 5)
    attempt = AccessAttempt.objects.get(username="clerk")
    admin_client = client.__class__()
    admin_client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    changelist = reverse("admin:axes_accessattempt_changelist")
    listed = admin_client.get(changelist)
    assert listed.status_code == 200 and "clerk" in listed.content.decode()
    unlocked = admin_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert unlocked.status_code == 302
    assert not AccessAttempt.objects.filter(username="clerk").exists()

    assert sign_in(client, "clerk", DEMO_PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_role_user_cannot_unlock(client, clerk):
    """Unlocking is the administrator's: the axes admin refuses a role user."""
    fail(client, "clerk", 5)
    manager = UserFactory(username="manager", role="Order Manager", is_staff=True)
    client.force_login(manager)
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403
    assert AccessAttempt.objects.filter(username="clerk").exists()
