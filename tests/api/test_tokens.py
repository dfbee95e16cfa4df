"""Personal API tokens: only the digest is stored, a revoked token opens nothing at once,
and the token page makes a key, shows it once and revokes only the user's own."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.authentication import INVALID_TOKEN
from api.models import ApiToken, token_digest
from api.services import (
    ALREADY_REVOKED,
    NOT_YOUR_TOKEN,
    TOKEN_NEEDS_A_NAME,
    api_token_create,
    api_token_revoke,
)
from b2b_portal.errors import PermissionRefused, TransitionRefused, ValidationRefused

pytestmark = pytest.mark.django_db
ORDERS = "/api/orders/"


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_key_is_stored_only_as_its_digest(world):
    token, key = api_token_create(actor=world.users["clerk"], name="ERP connector")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == token_digest(key) != key
    assert key not in {stored.name, stored.prefix, stored.digest}
    assert key.startswith(stored.prefix) and len(key) > 40


def test_a_token_opens_the_api_as_its_user_until_revoked(world):
    clerk = world.users["clerk"]
    token, key = api_token_create(actor=clerk, name="ERP connector")
    client = _client(key)
    assert client.get(ORDERS).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None

    api_token_revoke(actor=clerk, token=token)

    response = client.get(ORDERS)
    assert response.status_code == 401
    assert response.json() == {"detail": INVALID_TOKEN}


def test_revoking_one_token_leaves_the_others_working(world):
    clerk = world.users["clerk"]
    first, first_key = api_token_create(actor=clerk, name="ERP")
    _second, second_key = api_token_create(actor=clerk, name="Reporting")
    api_token_revoke(actor=clerk, token=first)
    assert _client(first_key).get(ORDERS).status_code == 401
    assert _client(second_key).get(ORDERS).status_code == 200


def test_an_inactive_users_token_and_a_wrong_key_open_nothing(world):
    clerk = world.users["clerk"]
    _token, key = api_token_create(actor=clerk, name="ERP")
    assert _client(key + "x").get(ORDERS).status_code == 401
    clerk.is_active = False
    clerk.save()
    assert _client(key).get(ORDERS).status_code == 401


def test_refusals_of_the_token_services(world):
    clerk, buyer = world.users["clerk"], world.users["buyer"]
    with pytest.raises(ValidationRefused, match=TOKEN_NEEDS_A_NAME):
        api_token_create(actor=clerk, name="  ")
    token, _key = api_token_create(actor=clerk, name="ERP")
    with pytest.raises(PermissionRefused) as refused:
        api_token_revoke(actor=buyer, token=token)
    assert refused.value.message == NOT_YOUR_TOKEN.format(actor=buyer)
    api_token_revoke(actor=world.users["admin"], token=token)  # an administrator may
    with pytest.raises(TransitionRefused) as refused:
        api_token_revoke(actor=clerk, token=token)
    assert refused.value.message == ALREADY_REVOKED.format(token=token)


def test_the_token_page_shows_the_key_once_and_revokes(client, world):
    clerk = world.users["clerk"]
    client.force_login(clerk)
    response = client.post(reverse("api:tokens"), {"name": "ERP connector"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = response.context["new_key"]
    token = ApiToken.objects.get(user=clerk)
    assert token.digest == token_digest(key)
    assert key in response.content.decode()

    page = client.get(reverse("api:tokens")).content.decode()
    assert "ERP connector" in page and token.prefix in page and key not in page

    response = client.post(reverse("api:token_revoke", args=[token.pk]), follow=True)
    assert "ERP connector (" in response.content.decode() and "is revoked" in (
        response.content.decode()
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _client(key).get(ORDERS).status_code == 401


def test_another_users_token_is_not_found_on_the_page(client, world):
    token, key = api_token_create(actor=world.users["buyer"], name="Buyer's")
    client.force_login(world.users["clerk"])
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    assert client.get(reverse("api:tokens")).content.decode().count("Buyer&#x27;s") == 0
    assert _client(key).get(ORDERS).status_code == 200


def test_the_token_page_needs_a_signed_in_user(client, world):
    response = client.get(reverse("api:tokens"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
