"""The receiver's endpoints (docs/api.md, "For receivers"): each endpoint x every role with
the receiving pages' permissions, another unit's documents a 404 (a 400 when named in a
body), the ship notices Receive Expected Shipments lists, and receipts made by the pages'
services: the same quantities, reservations and statuses as the pages' Create Receipt; a
refusal (409, 400) changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from b2b_portal.web import new_submission_token
from orders.models import LineStatus
from procurement.models import POLineStatus
from receiving.models import Receipt
from suppliers.models import ShipNotice, ShipNoticeStatus
from suppliers.services import ShipNoticeLineInput, ship_notice_create
from tests.api.conftest import token_client
from tests.api.support import walk
from tests.api.test_purchase_orders import queries
from tests.helpers import receive, snapshot, unit_user

pytestmark = pytest.mark.django_db

RECEIVE = {"receiver", "admin"}
READ_RECEIPTS = {"manager", "buyer", "receiver", "ap", "ops", "admin"}


@pytest.fixture
def po_line(drive_to_po):
    """An approved PO line of 20 DL380 servers, pegged to a booked order line."""
    _order, [po_line] = drive_to_po(("SRV-DL380-G11", "20"))
    return po_line


@pytest.fixture
def notice(world, today):
    """``notice(po_line, "3")``: Northwind's ship notice of that much, arriving in 3 days."""

    def send(po_line, quantity, days=3):
        return ship_notice_create(
            actor=world.users["supplier"],
            purchase_order=po_line.purchase_order,
            ship_date=today,
            expected_arrival=today + timedelta(days=days),
            carrier="UPS",
            tracking_number=f"1Z{ShipNotice.objects.count()}",
            lines=[ShipNoticeLineInput(purchase_order_line=po_line, quantity=Decimal(quantity))],
        )

    return send


def _receipt_body(po_line, quantity="1"):
    return {
        "purchase_order": po_line.purchase_order_id,
        "packing_slip": "PS-1",
        "lines": [{"purchase_order_line": po_line.pk, "quantity": quantity}],
    }


def test_reading_ship_notices_and_receipts(api_as, world, po_line, notice):
    ship_notice = notice(po_line, "1")
    receipt = receive(world, po_line, "1")
    for url in ("/api/ship-notices/", f"/api/ship-notices/{ship_notice.pk}/"):
        walk(api_as, RECEIVE, 200, lambda c, _, url=url: c.get(url).status_code)
    for url in ("/api/receipts/", f"/api/receipts/{receipt.pk}/"):
        walk(api_as, READ_RECEIPTS, 200, lambda c, _, url=url: c.get(url).status_code)


def test_receiving_a_ship_notice_per_role(api_as, po_line, notice):
    def receive_notice(client, username):
        ship_notice = notice(po_line, "1")
        state = snapshot()
        response = client.post(f"/api/ship-notices/{ship_notice.pk}/receive/", {}, format="json")
        ship_notice.refresh_from_db()
        if response.status_code == 201:
            assert ship_notice.receipt.number == response.json()["number"], username
        else:
            assert (ship_notice.status, snapshot()) == (ShipNoticeStatus.SHIPPED, state), username
        return response.status_code

    walk(api_as, RECEIVE, 201, receive_notice)


def test_entering_a_receipt_per_role(api_as, po_line):
    def enter(client, username):
        before = snapshot()
        response = client.post("/api/receipts/", _receipt_body(po_line), format="json")
        if response.status_code != 201:
            assert snapshot() == before, username
        return response.status_code

    walk(api_as, RECEIVE, 201, enter)
    po_line.refresh_from_db()
    assert (Receipt.objects.count(), po_line.received_quantity) == (2, Decimal("2"))


def test_another_units_documents_are_404_or_unknown(world, po_line, notice):
    ship_notice = notice(po_line, "1")
    receipt = receive(world, po_line, "1")
    client = token_client(unit_user(world, "eu_receiver", "Receiving Agent"))
    state = snapshot()
    assert client.get("/api/ship-notices/").json()["count"] == 0
    assert client.get("/api/receipts/").json()["count"] == 0
    assert client.get(f"/api/ship-notices/{ship_notice.pk}/").status_code == 404
    assert client.get(f"/api/receipts/{receipt.pk}/").status_code == 404
    response = client.post(f"/api/ship-notices/{ship_notice.pk}/receive/", {}, format="json")
    assert response.status_code == 404
    response = client.post("/api/receipts/", _receipt_body(po_line), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "purchase_order": [f"There is no purchase order {po_line.purchase_order_id} in your units."]
    }
    assert snapshot() == state


def test_receiving_a_ship_notice_reserves_for_the_pegged_line(api_as, po_line, notice):
    later, sooner = notice(po_line, "3", days=5), notice(po_line, "2", days=2)
    client = api_as("receiver")
    listed = client.get("/api/ship-notices/").json()["results"]
    assert [each["number"] for each in listed] == [sooner.number, later.number]
    read = client.get(f"/api/ship-notices/{later.pk}/").json()
    [notice_line] = later.lines.all()
    assert (read["purchase_order"], read["purchase_order_id"], read["supplier"]) == (
        po_line.purchase_order.number,
        po_line.purchase_order_id,
        "S-100",
    )
    assert read["lines"] == [
        {
            "id": notice_line.pk,
            "purchase_order_line": po_line.pk,
            "line_number": 1,
            "item": "SRV-DL380-G11",
            "quantity": "3.000",
        }
    ]

    response = client.post(
        f"/api/ship-notices/{later.pk}/receive/", {"packing_slip": "PS-7"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    receipt = Receipt.objects.get()
    so_line = po_line.sales_order_line
    assert (body["number"], body["ship_notice"], body["packing_slip"]) == (
        receipt.number,
        later.number,
        "PS-7",
    )
    assert [
        (line["purchase_order_line"], line["quantity"], line["reserved_quantity"])
        for line in body["lines"]
    ] == [(po_line.pk, "3.000", "3.000")]
    assert (body["lines"][0]["sales_order_line"], body["lines"][0]["sales_order"]) == (
        so_line.pk,
        so_line.order.number,
    )
    po_line.refresh_from_db()
    so_line.refresh_from_db()
    later.refresh_from_db()
    assert (po_line.received_quantity, so_line.reserved_quantity) == (Decimal("3"), Decimal("3"))
    assert (later.status, later.receipt) == (ShipNoticeStatus.RECEIVED, receipt)
    listed = client.get("/api/ship-notices/").json()["results"]
    assert [each["number"] for each in listed] == [sooner.number]
    assert client.get(f"/api/receipts/{receipt.pk}/").json() == body


def test_receiving_less_than_the_notice(api_as, po_line, notice):
    ship_notice = notice(po_line, "3")
    [notice_line] = ship_notice.lines.all()
    response = api_as("receiver").post(
        f"/api/ship-notices/{ship_notice.pk}/receive/",
        {"lines": [{"ship_notice_line": notice_line.pk, "quantity": "2"}]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert [line["quantity"] for line in response.json()["lines"]] == ["2.000"]
    po_line.refresh_from_db()
    assert (po_line.received_quantity, po_line.status) == (Decimal("2"), POLineStatus.OPEN)


def test_a_notice_partly_received_on_the_po_brings_only_the_rest(world, api_as, po_line, notice):
    """As the page prefills: 2 of the notice's 5 came in on the PO already, so receiving
    the notice takes the 3 still on the way, and the notice is then Received."""
    ship_notice = notice(po_line, "5")
    receive(world, po_line, "2")
    response = api_as("receiver").post(
        f"/api/ship-notices/{ship_notice.pk}/receive/", {"packing_slip": "PS-2"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert [line["quantity"] for line in response.json()["lines"]] == ["3.000"]
    po_line.refresh_from_db()
    ship_notice.refresh_from_db()
    assert po_line.received_quantity == Decimal("5")
    assert ship_notice.get_status_display() == "Received"


def test_refusals_are_409_or_400_and_change_nothing(api_as, po_line, notice):
    ship_notice = notice(po_line, "2")
    client = api_as("receiver")
    url = f"/api/ship-notices/{ship_notice.pk}/receive/"
    assert client.post(url, {}, format="json").status_code == 201
    state = snapshot()
    again = client.post(url, {}, format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": f"{ship_notice.number} is already received."}
    assert snapshot() == state
    other = notice(po_line, "1")
    [other_line] = other.lines.all()
    state = snapshot()
    none_arrived = client.post(
        f"/api/ship-notices/{other.pk}/receive/",
        {"lines": [{"ship_notice_line": other_line.pk, "quantity": "0"}]},
        format="json",
    )
    assert none_arrived.status_code == 409
    assert none_arrived.json() == {"detail": "Enter a received quantity on at least one line."}
    not_its_line = client.post(
        url, {"lines": [{"ship_notice_line": 999999, "quantity": "1"}]}, format="json"
    )
    assert not_its_line.status_code == 400
    assert not_its_line.json() == {
        "lines": {"0": {"ship_notice_line": [f"No line 999999 on {ship_notice.number}."]}}
    }
    too_much = client.post("/api/receipts/", _receipt_body(po_line, "19"), format="json")
    assert too_much.status_code == 409
    assert too_much.json()["detail"].endswith("has 18 open to receive; 19 is too much.")
    for body in (
        _receipt_body(po_line, "1.0001"),
        {**_receipt_body(po_line), "lines": [{"purchase_order_line": 999999, "quantity": "1"}]},
        {**_receipt_body(po_line), "lines": []},
    ):
        assert client.post("/api/receipts/", body, format="json").status_code == 400, body
    assert snapshot() == state


def test_the_api_receives_as_the_pages_do(client, api_as, world, drive_to_po, notice):
    """A ship notice received through the API and one through its page, a receipt entered
    through each: the same receipts, reservations and statuses."""
    _order, [by_api, by_page] = drive_to_po(("SRV-DL380-G11", "4"), ("SRV-DL380-G11", "4"))
    api = api_as("receiver")
    client.force_login(world.users["receiver"])
    notices = {by_api: notice(by_api, "3"), by_page: notice(by_page, "3")}
    response = api.post(
        f"/api/ship-notices/{notices[by_api].pk}/receive/", {"packing_slip": "PS"}, format="json"
    )
    assert response.status_code == 201
    page = client.post(
        reverse("receiving:receive_ship_notice", args=[notices[by_page].pk]),
        {
            "submission_token": new_submission_token(),
            f"line_{by_page.pk}": "3",
            "packing_slip": "PS",
        },
    )
    assert page.status_code == 302
    assert api.post("/api/receipts/", _receipt_body(by_api, "1"), format="json").status_code == 201
    page = client.post(
        reverse("receiving:receive", args=[by_page.purchase_order_id]),
        {"submission_token": new_submission_token(), f"line_{by_page.pk}": "1"},
    )
    assert page.status_code == 302

    def outcome(po_line):
        po_line.refresh_from_db()
        so_line = po_line.sales_order_line
        so_line.refresh_from_db()
        notices[po_line].refresh_from_db()
        receipts = Receipt.objects.filter(lines__purchase_order_line=po_line).order_by("pk")
        return (
            [
                (line.quantity, line.reserved_quantity, receipt.received_by.username)
                for receipt in receipts
                for line in receipt.lines.all()
            ],
            po_line.received_quantity,
            po_line.status,
            so_line.reserved_quantity,
            so_line.status,
            notices[po_line].status,
        )

    assert outcome(by_api) == outcome(by_page)
    assert outcome(by_api)[1:] == (
        Decimal("4"),
        POLineStatus.CLOSED_FOR_RECEIVING,
        Decimal("4"),
        LineStatus.AWAITING_SHIPPING,
        ShipNoticeStatus.RECEIVED,
    )


def test_the_receipts_list_searches_as_its_page(api_as, world, po_line):
    first, second = receive(world, po_line, "1"), receive(world, po_line, "2")
    client = api_as("receiver")

    def numbers(**params):
        response = client.get("/api/receipts/", params)
        assert response.status_code == 200, response.content
        return [receipt["number"] for receipt in response.json()["results"]]

    assert numbers() == [second.number, first.number]
    assert numbers(number=first.number) == [first.number]
    purchase_order = po_line.purchase_order.number
    assert numbers(purchase_order=purchase_order, supplier="S-100", item="SRV-DL380-G11") == [
        second.number,
        first.number,
    ]
    assert numbers(supplier="S-200") == []
    for bad in ({"item": "NOPE"}, {"number": "PO-1"}):
        assert client.get("/api/receipts/", bad).status_code == 400, bad


def test_without_a_token_every_endpoint_is_401(client, world):
    for method, url in [
        ("get", "/api/ship-notices/"),
        ("get", "/api/ship-notices/1/"),
        ("post", "/api/ship-notices/1/receive/"),
        ("get", "/api/receipts/"),
        ("get", "/api/receipts/1/"),
        ("post", "/api/receipts/"),
    ]:
        response = getattr(client, method)(url)
        assert (response.status_code, response["WWW-Authenticate"]) == (401, "Token"), url


def test_the_lists_cost_the_same_queries_for_more_documents(api_as, world, po_line, notice):
    notice(po_line, "1")
    receive(world, po_line, "1")
    client = api_as("receiver")
    queries(client, "/api/receipts/")  # the token's first use is written once
    one = [queries(client, url) for url in ("/api/ship-notices/", "/api/receipts/")]
    notice(po_line, "2"), receive(world, po_line, "2"), receive(world, po_line, "3")
    assert [queries(client, url) for url in ("/api/ship-notices/", "/api/receipts/")] == one
