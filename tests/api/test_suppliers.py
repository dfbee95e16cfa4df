"""The supplier endpoints (docs/api.md, "For suppliers"): each endpoint x every role, the
supplier scoping (another supplier's PO is 404), and each write through its service with
its refusals (409 with the message, 400 field by field) changing nothing."""

from datetime import timedelta

import pytest

from invoicing.models import APInvoice, APStatus
from procurement.models import SupplyStatus
from suppliers.models import LineAcknowledgement, ShipNotice
from suppliers.services import supplier_contact_set
from tests.api.conftest import token_client
from tests.api.support import EVERY_ROLE
from tests.factories import UserFactory
from tests.helpers import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def po_line(drive_to_po):
    _order, [po_line] = drive_to_po(("SRV-DL380-G11", "4"))
    return po_line


def _requests(po_line, today, username="supplier"):
    po = po_line.purchase_order_id
    ship = {
        "ship_date": today.isoformat(),
        "expected_arrival": (today + timedelta(days=3)).isoformat(),
        "carrier": "UPS",
        "tracking_number": "1Z1",
        "lines": [{"line": po_line.pk, "quantity": "1"}],
    }
    invoice = {
        "supplier_invoice_number": f"NW-API-{username}",
        "invoice_date": today.isoformat(),
        "lines": [{"line": po_line.pk, "quantity": "1"}],
    }
    return {
        "list": ("get", "/api/supplier/purchase-orders/", None, 200),
        "read": ("get", f"/api/supplier/purchase-orders/{po}/", None, 200),
        "acknowledge": (
            "post",
            f"/api/supplier/purchase-order-lines/{po_line.pk}/acknowledge/",
            {"kind": "ACCEPTED"},
            201,
        ),
        "ship notice": ("post", f"/api/supplier/purchase-orders/{po}/ship-notices/", ship, 201),
        "invoice": ("post", f"/api/supplier/purchase-orders/{po}/invoices/", invoice, 201),
    }


@pytest.mark.parametrize("endpoint", ["list", "read", "acknowledge", "ship notice", "invoice"])
def test_each_endpoint_per_role(api_as, po_line, today, endpoint):
    """The supplier's user and the administrator (who acts for every supplier, as in every
    unit): 200/201. Every other role: 403, changing nothing."""
    wrong = {}
    for username in EVERY_ROLE:
        method, url, body, ok = _requests(po_line, today, username)[endpoint]
        client = api_as(username)
        before = snapshot()
        response = getattr(client, method)(url, body, format="json")
        expected = ok if username in ("supplier", "admin") else 403
        if response.status_code != expected:
            wrong[username] = (response.status_code, expected)
        if expected == 403:
            assert snapshot() == before, username
    assert not wrong, f"role: (answered, expected) {wrong}"


def test_another_suppliers_po_and_line_are_404(world, po_line, today):
    other = UserFactory(username="contoso", role="Supplier")
    supplier_contact_set(actor=world.users["admin"], user=other, supplier=world.suppliers["S-200"])
    client = token_client(other)
    assert client.get("/api/supplier/purchase-orders/").json()["count"] == 0
    for method, url, body, _ok in _requests(po_line, today).values():
        if url.endswith("/purchase-orders/"):
            continue
        assert getattr(client, method)(url, body, format="json").status_code == 404, url


def test_reading_a_po_with_its_lines_dates_and_answers(api_as, po_line, today):
    client = api_as("supplier")
    new_date = today + timedelta(days=30)
    answer = client.post(
        f"/api/supplier/purchase-order-lines/{po_line.pk}/acknowledge/",
        {"kind": "NEW_DATE", "promised_date": new_date.isoformat(), "reason": "backlog"},
        format="json",
    )
    assert answer.status_code == 201
    assert answer.json()["kind_display"] == "Accepted with a new date"
    notice = client.post(
        f"/api/supplier/purchase-orders/{po_line.purchase_order_id}/ship-notices/",
        _requests(po_line, today)["ship notice"][2],
        format="json",
    )
    assert notice.status_code == 201 and notice.json()["number"].startswith("ASN-")
    body = client.get(f"/api/supplier/purchase-orders/{po_line.purchase_order_id}/").json()
    [line] = body["lines"]
    assert line["promised_date"] == new_date.isoformat()
    # 1 of the 4 is on the way, arriving in 3 days; the rest comes as promised, later.
    assert line["expected_date"] == new_date.isoformat()
    assert (line["quantity"], line["in_transit_quantity"]) == ("4.000", "1.000")
    assert line["acknowledgement"]["kind"] == "NEW_DATE"
    assert [n["tracking_number"] for n in body["ship_notices"]] == ["1Z1"]
    listed = client.get("/api/supplier/purchase-orders/", {"status": "OPEN"}).json()
    assert [po["number"] for po in listed["results"]] == [body["number"]]
    assert client.get("/api/supplier/purchase-orders/", {"status": "NOPE"}).status_code == 400


def test_refusals_are_409_with_the_message_or_400_and_change_nothing(api_as, po_line, today):
    client = api_as("supplier")
    url = f"/api/supplier/purchase-order-lines/{po_line.pk}/acknowledge/"
    before = snapshot()
    response = client.post(url, {"kind": "REJECTED", "reason": ""}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "Say why the line is rejected."}
    response = client.post(url, {"kind": "LATER"}, format="json")
    assert response.status_code == 400 and "kind" in response.json()
    ship = _requests(po_line, today)["ship notice"][2]
    too_much = {**ship, "lines": [{"line": po_line.pk, "quantity": "5"}]}
    response = client.post(
        f"/api/supplier/purchase-orders/{po_line.purchase_order_id}/ship-notices/",
        too_much,
        format="json",
    )
    assert response.status_code == 409 and "5 is too much" in response.json()["detail"]
    not_a_line = {**ship, "lines": [{"line": 999999, "quantity": "1"}]}
    response = client.post(
        f"/api/supplier/purchase-orders/{po_line.purchase_order_id}/ship-notices/",
        not_a_line,
        format="json",
    )
    assert response.status_code == 400
    assert snapshot() == before


def test_a_rejection_and_an_invoice(api_as, po_line, today):
    client = api_as("supplier")
    invoice = client.post(
        f"/api/supplier/purchase-orders/{po_line.purchase_order_id}/invoices/",
        _requests(po_line, today)["invoice"][2],
        format="json",
    )
    assert invoice.status_code == 201
    ap_invoice = APInvoice.objects.get()
    assert invoice.json()["ap_invoice"] == ap_invoice.number
    assert (ap_invoice.status, ap_invoice.purchase_order_id) == (
        APStatus.DRAFT,
        po_line.purchase_order_id,
    )
    response = client.post(
        f"/api/supplier/purchase-order-lines/{po_line.pk}/acknowledge/",
        {"kind": "REJECTED", "reason": "discontinued"},
        format="json",
    )
    assert response.status_code == 201
    assert LineAcknowledgement.objects.get().kind == "REJECTED"
    assert po_line.sales_order_line.supply_orders.get().status == SupplyStatus.EXCEPTION
    assert ShipNotice.objects.count() == 0
