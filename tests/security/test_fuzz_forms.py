"""Every form of the portal under generated input (issue 9): no server error, and a refused
post changes nothing.

The forms are found through the URL resolver (the permission matrix's walk): each page that
takes a POST is opened as a role that may use it, the field names are read from the page
(formset management fields and the once-only token included), and hypothesis posts payloads
mixing the page's own values with hostile ones: NUL bytes, 100,000 characters, NaN,
Infinity, 1e400, impossible dates, Unicode digits, ids of the other unit's rows. Each post
is rolled back to a savepoint so that every example starts from the same database.
"""

import re
import traceback
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import constants as message_levels
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.models import Customer, Item, Warehouse
from orders.models import SalesOrderLine
from procurement.models import PurchaseOrderLine
from tests.helpers import snapshot
from tests.web.test_permission_matrix import ROLE_USERS, build_action_urls, documents  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES_PER_FORM = 12
FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.IGNORECASE)
VALUE = re.compile(r"<input\b[^>]*\bname=\"([^\"]+)\"[^>]*\bvalue=\"([^\"]*)\"", re.IGNORECASE)
SKIPPED = {"csrfmiddlewaretoken"}
# Rows whose ids go into payloads: both units' master data and documents.
ID_MODELS = [Customer, Item, Warehouse, SalesOrderLine, PurchaseOrderLine]

HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "x" * 100_000,
        "NaN",
        "Infinity",
        "-Infinity",
        "1e400",
        "-1",
        "0",
        "0.0001",
        "99999999999999999999",
        "\u0663",  # ARABIC-INDIC DIGIT THREE
        "\uff12",  # FULLWIDTH DIGIT TWO
        "2026-02-30",
        "9999-12-31",
        "0000-00-00",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "None",
        "[]",
        "1,5",
        " 2 ",
    ]
)


def page_fields(client, url) -> tuple[list[str], dict[str, str]]:
    """The field names a page posts, and the values its inputs carry."""
    response = client.get(url)
    if response.status_code != 200:
        return [], {}
    html = response.content.decode()
    names = [name for name in dict.fromkeys(FIELD.findall(html)) if name not in SKIPPED]
    return names, dict(VALUE.findall(html))


def payloads(names, defaults, ids):
    """A payload: each field keeps the page's value, takes a hostile one, or another row's id."""
    value = st.one_of(HOSTILE, st.text(max_size=30), st.sampled_from(ids).map(str))
    fields = {
        name: st.one_of(st.just(defaults[name]), value) if name in defaults else value
        for name in names or ["reason", "quantity", "pk"]
    }
    return st.fixed_dictionaries(fields)


def fresh_token(payload: dict) -> dict:
    """Most posts carry a valid once-only token, so that the form itself is reached."""
    if "submission_token" in payload and payload["submission_token"] == "":
        payload["submission_token"] = uuid.uuid4().hex
    return payload


def was_refused(response) -> bool:
    """A form shown again, a 4xx, or a redirect carrying an error message of this post
    (the storage's queue holds only the messages this request added)."""
    if response.status_code != 302:
        return True
    added = response.wsgi_request._messages._queued_messages
    return any(message.level >= message_levels.ERROR for message in added)


def post_forms() -> list:
    return [action for action in build_action_urls() if not action.problem and action.view_class]


def _accepts_post(action) -> bool:
    return "post" in action.view_class.http_method_names and hasattr(action.view_class, "post")


def test_every_form_survives_generated_input(client, documents):  # noqa: F811
    users = {name: get_user_model().objects.get(username=name) for name in ROLE_USERS}
    ids = sorted({obj.pk for model in ID_MODELS for obj in model.objects.all()[:20]})
    failures = []
    fuzzed = 0
    for action in filter(_accepts_post, post_forms()):
        user = next((u for u in users.values() if action.allows(u)), None)
        if user is None:
            continue
        client.force_login(user)
        names, defaults = page_fields(client, action.url) if action.method == "get" else ([], {})
        failures += fuzz(client, action.url, payloads(names, defaults, ids))
        fuzzed += 1
    assert fuzzed >= 15, "the resolver walk should find the portal's forms"
    assert not failures, "\n".join(dict.fromkeys(failures))


def fuzz(client, url, strategy) -> list[str]:
    failures = []

    @settings(
        max_examples=EXAMPLES_PER_FORM,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(payload=strategy)
    def post(payload):
        savepoint = transaction.savepoint()
        before = snapshot()
        try:
            response = client.post(url, fresh_token(payload))
            after = snapshot()
        except Exception as error:
            frame = traceback.extract_tb(error.__traceback__)[-1]
            failures.append(f"POST {url}: {error!r} at {frame.filename}:{frame.lineno}")
            return
        finally:
            transaction.savepoint_rollback(savepoint)
        if response.status_code >= 500:
            failures.append(f"POST {url}: {response.status_code}")
        elif was_refused(response) and after != before:
            failures.append(f"POST {url}: refused ({response.status_code}) but changed the data")

    post()
    return failures
