"""The once-only submission token: required on every once-only form, exactly 32 hex
characters; a post without it, or with any other, is refused and does nothing (and
nothing of the client's choosing is stored in the cache)."""

import uuid

import pytest
from django import forms
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from b2b_portal.web import (
    SUBMISSION_TOKEN_INVALID,
    SUBMISSION_TOKEN_SHAPE,
    OnceOnlyFormMixin,
    SubmissionTokenField,
)
from orders.models import SalesOrder
from receiving.models import Receipt
from tests.helpers import snapshot
from tests.web.orders.support import order_post

CREATE = reverse("orders:create")
REFUSED_TOKENS = {
    "empty": "",
    "over-long": "a" * 100_000,
    "one too many": "a" * 33,
    "one too few": "a" * 31,
    "upper case": "A" * 32,
    "not hex": "g" * 32,
    "NUL byte": "a" * 31 + "\x00",
}


def once_only_views():
    """Every view class the URL resolver knows that posts a form once only."""

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "view_class", None)
                if view and issubclass(view, OnceOnlyFormMixin):
                    yield view

    return sorted(set(walk(get_resolver().url_patterns)), key=lambda view: view.__name__)


def test_every_once_only_form_requires_the_token():
    views = once_only_views()
    assert len(views) >= 8  # orders, receiving, AP, Document Builder, pick release, changes
    for view in views:
        field = view.form_class.base_fields.get("submission_token")
        assert isinstance(field, SubmissionTokenField), view.__name__
        assert field.required, view.__name__


@pytest.mark.parametrize("token", REFUSED_TOKENS.values(), ids=REFUSED_TOKENS.keys())
def test_the_field_refuses_anything_but_32_hex_characters(token):
    with pytest.raises(forms.ValidationError) as refused:
        SubmissionTokenField().clean(token)
    assert refused.value.messages == [SUBMISSION_TOKEN_INVALID]


def test_the_field_accepts_the_tokens_it_makes():
    token = SubmissionTokenField().initial()
    assert SUBMISSION_TOKEN_SHAPE.fullmatch(token)
    assert SubmissionTokenField().clean(token) == token


@pytest.fixture
def clerk(client, users):
    client.force_login(users["clerk"])
    return client


@pytest.mark.django_db
def test_an_order_posted_without_the_token_is_refused_and_nothing_is_made(clerk, world):
    data = order_post(world, [("SRV-DL380-G11", "1", "")])
    del data["submission_token"]
    before = snapshot()

    response = clerk.post(CREATE, data)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [SUBMISSION_TOKEN_INVALID]
    assert SUBMISSION_TOKEN_INVALID in response.content.decode()
    assert snapshot() == before
    # The page comes back with a fresh token: the same order, submitted again, is made once.
    fresh = response.context["form"]["submission_token"].value()
    assert SUBMISSION_TOKEN_SHAPE.fullmatch(fresh)
    made = clerk.post(CREATE, {**data, "submission_token": fresh})
    assert made.status_code == 302
    again = clerk.post(CREATE, {**data, "submission_token": fresh})  # shows the same order
    assert (again.status_code, again["Location"]) == (302, made["Location"])
    assert SalesOrder.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore::django.core.cache.CacheKeyWarning")  # the check's own get
def test_an_over_long_token_is_refused_and_not_stored(clerk, world):
    token = "a" * 100_000
    before = snapshot()

    response = clerk.post(CREATE, order_post(world, [("SRV-DL380-G11", "1", "")], token=token))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [SUBMISSION_TOKEN_INVALID]
    assert snapshot() == before
    assert cache.get(f"form-submitted:{token}") is None


@pytest.mark.django_db
def test_a_receipt_posted_without_the_token_is_refused(client, users, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    client.force_login(users["receiver"])
    url = reverse("receiving:receive", args=[po_line.purchase_order_id])
    before = snapshot()

    response = client.post(url, {f"line_{po_line.pk}": "1"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [SUBMISSION_TOKEN_INVALID]
    assert snapshot() == before
    assert Receipt.objects.count() == 0
    po_line.refresh_from_db()
    assert po_line.received_quantity == 0


@pytest.mark.django_db
def test_a_well_formed_token_is_used_once(clerk, world):
    token = uuid.uuid4().hex
    data = order_post(world, [("SRV-DL380-G11", "1", "")], token=token)
    first = clerk.post(CREATE, data)
    assert first.status_code == 302
    again = clerk.post(CREATE, data)  # lands on the order the first made (issue 12)
    assert (again.status_code, again["Location"]) == (302, first["Location"])
    assert SalesOrder.objects.count() == 1
