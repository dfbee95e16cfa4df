"""The buyer's endpoints (docs/api.md, "For buyers"): each endpoint x every role with the
PO pages' permissions, another unit's PO a 404, Manage Purchase Orders' search, and
Submit, Approve and Reject through the page's services: the same statuses, by the same
users, as the PO page's buttons; a refusal (409, 403, 400) changes nothing."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procurement.models import POStatus, PurchaseOrder
from procurement.services import purchase_order_submit
from tests.api.conftest import token_client
from tests.api.support import walk
from tests.helpers import history_users, snapshot, unit_user

pytestmark = pytest.mark.django_db

READ_POS = {"manager", "buyer", "receiver", "ap", "ops", "admin"}
BUY = {"buyer", "admin"}  # change_purchaseorder (submit) and approve_purchaseorder


@pytest.fixture
def draft(drive_to_po):
    """A Draft PO of one line of 2 DL380 servers from Northwind at 39,800.00."""

    def make():
        _order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"), approve=False)
        return po_line.purchase_order

    return make


def _pending(world, draft):
    """A PO pending approval, submitted by the buyer."""
    purchase_order = draft()
    return purchase_order_submit(actor=world.users["buyer"], purchase_order=purchase_order)


def test_reading_purchase_orders(api_as, draft):
    purchase_order = draft()
    walk(api_as, READ_POS, 200, lambda c, _: c.get("/api/purchase-orders/").status_code)
    url = f"/api/purchase-orders/{purchase_order.pk}/"
    walk(api_as, READ_POS, 200, lambda c, _: c.get(url).status_code)


@pytest.mark.parametrize(
    ("action", "before", "after", "body"),
    [
        ("submit", POStatus.DRAFT, POStatus.PENDING_APPROVAL, None),
        ("approve", POStatus.PENDING_APPROVAL, POStatus.OPEN, None),
        ("reject", POStatus.PENDING_APPROVAL, POStatus.DRAFT, {"reason": "wrong site"}),
    ],
)
def test_each_action_per_role(api_as, world, draft, action, before, after, body):
    """The buyer and the administrator: 200 and the PO moved. Every other role: 403 and
    nothing changed."""

    def act(client, username):
        purchase_order = draft() if before == POStatus.DRAFT else _pending(world, draft)
        state = snapshot()
        response = client.post(
            f"/api/purchase-orders/{purchase_order.pk}/{action}/", body, format="json"
        )
        purchase_order.refresh_from_db()
        if response.status_code == 200:
            assert purchase_order.status == after == response.json()["status"], username
        else:
            assert (purchase_order.status, snapshot()) == (before, state), username
        return response.status_code

    walk(api_as, BUY, 200, act)


def test_another_units_po_is_404(world, draft):
    purchase_order = draft()
    client = token_client(unit_user(world, "eu_buyer", "Buyer"))
    assert client.get("/api/purchase-orders/").json()["count"] == 0
    state = snapshot()
    assert client.get(f"/api/purchase-orders/{purchase_order.pk}/").status_code == 404
    for action in ("submit", "approve", "reject"):
        url = f"/api/purchase-orders/{purchase_order.pk}/{action}/"
        response = client.post(url, {"reason": "no"}, format="json")
        assert response.status_code == 404, action
    assert snapshot() == state


def test_a_po_reads_with_its_pegged_lines_and_totals(api_as, draft):
    purchase_order = draft()
    body = api_as("buyer").get(f"/api/purchase-orders/{purchase_order.pk}/").json()
    [line] = body["lines"]
    po_line = purchase_order.lines.get()
    so_line = po_line.sales_order_line
    assert {key: body[key] for key in ("number", "business_unit", "supplier", "buyer")} == {
        "number": purchase_order.number,
        "business_unit": "US1",
        "supplier": "S-100",
        "buyer": "buyer",
    }
    assert (body["status"], body["status_display"], body["currency_code"]) == (
        "DRAFT",
        "Draft",
        "USD",
    )
    assert (body["total_amount"], body["approved_at"]) == ("79600.00", None)
    assert line == {
        "id": po_line.pk,
        "line_number": 1,
        "item": "SRV-DL380-G11",
        "item_description": "High-end rack server, 2x64-core, 1 TB RAM",
        "quantity": "2.000",
        "unit_price": "39800.00",
        "amount": "79600.00",
        "status": "OPEN",
        "status_display": "Open",
        "promised_date": po_line.promised_date.isoformat(),
        "expected_date": po_line.promised_date.isoformat(),
        "received_quantity": "0.000",
        "billed_quantity": "0.000",
        "sales_order_line": so_line.pk,
        "sales_order": so_line.order.number,
        "cancel_reason": "",
    }


def test_the_list_searches_as_manage_purchase_orders(api_as, draft, world):
    first, second = draft(), _pending(world, draft)
    client = api_as("buyer")

    def numbers(**params):
        response = client.get("/api/purchase-orders/", params)
        assert response.status_code == 200, response.content
        return [po["number"] for po in response.json()["results"]]

    assert numbers() == [second.number, first.number]
    assert numbers(status="PENDING_APPROVAL") == [second.number]
    assert numbers(number=str(first.pk)) == [first.number]
    assert numbers(supplier="S-100", item="SRV-DL380-G11") == [second.number, first.number]
    assert numbers(supplier="S-200") == []
    for bad in ({"status": "NOPE"}, {"supplier": "S-999"}, {"number": "SO-1"}):
        assert client.get("/api/purchase-orders/", bad).status_code == 400, bad


def test_refusals_are_409_403_or_400_with_the_message_and_change_nothing(api_as, world, draft):
    purchase_order = draft()
    client = api_as("buyer")
    state = snapshot()
    response = client.post(f"/api/purchase-orders/{purchase_order.pk}/approve/")
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"{purchase_order.number} is Draft: it cannot approve now."
    }
    response = client.post(
        f"/api/purchase-orders/{purchase_order.pk}/reject/", {"reason": "  "}, format="json"
    )
    assert response.json() == {"reason": ["Say why the purchase order is rejected."]}
    assert response.status_code == 400
    assert snapshot() == state

    # Above the unit's approval limit, its own buyer may not approve it.
    unit = world.units["US1"]
    unit.po_approval_limit = Decimal("50000.00")
    unit.save()
    assert client.post(f"/api/purchase-orders/{purchase_order.pk}/submit/").status_code == 200
    state = snapshot()
    response = client.post(f"/api/purchase-orders/{purchase_order.pk}/approve/")
    assert response.status_code == 403
    assert "someone other than its buyer (buyer) must approve it" in response.json()["detail"]
    assert snapshot() == state
    approved = api_as("admin").post(f"/api/purchase-orders/{purchase_order.pk}/approve/")
    assert (approved.status_code, approved.json()["status"]) == (200, "OPEN")
    assert approved.json()["approved_by"] == "admin"


def test_the_api_moves_a_po_as_the_po_page_does(client, api_as, world, draft):
    """Submit and approve one PO through the API and one through the PO page's buttons,
    submit and reject a third: the same statuses, history by the same users."""
    by_api, by_page = draft(), draft()
    api = api_as("buyer")
    for action in ("submit", "approve"):
        assert api.post(f"/api/purchase-orders/{by_api.pk}/{action}/").status_code == 200
    client.force_login(world.users["buyer"])
    for action in ("po_submit", "po_approve"):
        assert client.post(reverse(f"procurement:{action}", args=[by_page.pk])).status_code == 302
    by_api.refresh_from_db()
    by_page.refresh_from_db()
    assert by_api.status == by_page.status == POStatus.OPEN
    assert by_api.approved_by == by_page.approved_by == world.users["buyer"]
    assert history_users(by_api) == history_users(by_page) == ["buyer", "buyer", "buyer"]

    rejected_by_api, rejected_by_page = _pending(world, draft), _pending(world, draft)
    response = api.post(
        f"/api/purchase-orders/{rejected_by_api.pk}/reject/", {"reason": "wrong site"}
    )
    assert response.status_code == 200
    page = client.post(
        reverse("procurement:po_reject", args=[rejected_by_page.pk]), {"reason": "wrong site"}
    )
    assert page.status_code == 302
    rejected = PurchaseOrder.objects.filter(pk__in=[rejected_by_api.pk, rejected_by_page.pk])
    assert set(rejected.values_list("status", "rejection_reason")) == {
        (POStatus.DRAFT, "wrong site")
    }
    assert response.json()["rejection_reason"] == "wrong site"


def test_without_a_token_every_endpoint_is_401(client, world):
    for method, url in [
        ("get", "/api/purchase-orders/"),
        ("get", "/api/purchase-orders/1/"),
        ("post", "/api/purchase-orders/1/submit/"),
        ("post", "/api/purchase-orders/1/approve/"),
        ("post", "/api/purchase-orders/1/reject/"),
    ]:
        response = getattr(client, method)(url)
        assert (response.status_code, response["WWW-Authenticate"]) == (401, "Token"), url


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_costs_the_same_queries_for_more_pos(api_as, draft):
    draft()
    client = api_as("buyer")
    queries(client, "/api/purchase-orders/")  # the token's first use is written once
    one = queries(client, "/api/purchase-orders/")
    draft(), draft()
    assert queries(client, "/api/purchase-orders/") == one
