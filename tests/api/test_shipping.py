"""The shipping clerk's endpoints (docs/api.md, "Shipping"): Pick Release and Ship Confirm
through the Shipping workbench's services, each endpoint x every role, another unit's wave
or shipment a 404, refusals 409 (the service's message) or 400 changing nothing, the
shipments searched as the Shipments page, and the same result as the page's Ship Confirm."""

from decimal import Decimal

import pytest

from orders.models import LineStatus
from shipping.exceptions import SHIP_QUANTITY_OUT_OF_RANGE
from shipping.models import PickWave, Shipment, ShipmentStatus
from shipping.services import NOTHING_TO_RELEASE
from tests.api.conftest import token_client
from tests.api.support import walk, walk_action
from tests.helpers import on_hand, receive, release, snapshot, unit_user

pytestmark = pytest.mark.django_db

RELEASE = {"shipper", "admin"}
READ_WAVES = {"manager", "shipper", "ops", "admin"}
READ_SHIPMENTS = {"manager", "shipper", "ar", "ops", "admin"}
CONFIRM = {"shipper", "admin"}


@pytest.fixture
def reserved(world, drive_to_po):
    """``reserved("2")``: an order of that many servers, received in full (reserved)."""

    def make(quantity="2"):
        order, [po_line] = drive_to_po(("SRV-DL380-G11", quantity))
        receive(world, po_line, quantity)
        return order

    return make


def _release_body(order=None):
    body = {"business_unit": "US1", "warehouse": "M1"}
    return {**body, "sales_order": order.number} if order else body


def test_pick_release_per_role(api_as, reserved):
    """Each allowed role releases an order of its own; the others release nothing."""
    orders = {username: reserved("1") for username in RELEASE}

    def release_as(client, username):
        before = PickWave.objects.count()
        order = orders.get(username, orders["shipper"])
        response = client.post("/api/pick-waves/", _release_body(order), format="json")
        assert PickWave.objects.count() - before == (response.status_code == 201), username
        return response.status_code

    walk(api_as, RELEASE, 201, release_as)


def test_reading_waves_and_shipments_per_role(api_as, world, reserved):
    reserved()
    wave = release(world)
    shipment = wave.shipments.get()
    for allowed, url in [
        (READ_WAVES, f"/api/pick-waves/{wave.pk}/"),
        (READ_SHIPMENTS, "/api/shipments/"),
        (READ_SHIPMENTS, f"/api/shipments/{shipment.pk}/"),
    ]:
        walk(api_as, allowed, 200, lambda client, _, url=url: client.get(url).status_code)


def test_ship_confirm_per_role(api_as, world, reserved):
    """Each allowed role confirms a shipment of its own; the others change nothing."""
    for _ in CONFIRM:
        reserved("1")
    mine = dict(zip(sorted(CONFIRM), release(world).shipments.order_by("pk"), strict=True))

    walk_action(
        api_as,
        CONFIRM,
        mine,
        fallback=mine["shipper"],
        url=lambda shipment: f"/api/shipments/{shipment.pk}/ship-confirm/",
        done_status=ShipmentStatus.SHIPPED,
    )


def test_another_units_wave_and_shipment_are_not_found(world, reserved):
    order = reserved()
    wave = release(world)
    shipment = wave.shipments.get()
    client = token_client(unit_user(world, "eu_shipper", "Shipping Clerk"))
    assert client.get(f"/api/pick-waves/{wave.pk}/").status_code == 404
    assert client.get(f"/api/shipments/{shipment.pk}/").status_code == 404
    assert client.get("/api/shipments/").json()["count"] == 0
    before = snapshot()
    assert client.post(f"/api/shipments/{shipment.pk}/ship-confirm/").status_code == 404
    # US1, its warehouse and its order are unknown to a user of EU1 (as in the page's choices).
    refused = client.post("/api/pick-waves/", _release_body(order), format="json")
    assert refused.status_code == 400
    assert set(refused.json()) == {"business_unit", "warehouse", "sales_order"}
    assert snapshot() == before


def test_release_then_ship_part_of_a_line(api_as, world, reserved):
    """Release through the API: a wave of one shipment of the reserved 2; ship 1 of it with
    a waybill: the line ships 1, the other 1 is split off, still reserved."""
    order = reserved("2")
    client = api_as("shipper")
    answer = client.post("/api/pick-waves/", _release_body(), format="json")
    assert answer.status_code == 201, answer.content
    wave = answer.json()
    assert wave["number"].startswith("WAVE-") and wave["released_by"] == "shipper"
    [shipment] = wave["shipments"]
    [line] = shipment["lines"]
    assert (shipment["status"], shipment["sales_order"], shipment["customer"]) == (
        "RELEASED",
        order.number,
        "C-1001",
    )
    assert (line["item"], line["quantity"], line["released_quantity"]) == (
        "SRV-DL380-G11",
        "2.000",
        "2.000",
    )
    assert client.get(f"/api/pick-waves/{wave['id']}/").json() == wave

    body = {"waybill": "1Z999", "lines": [{"shipment_line": line["id"], "quantity": "1"}]}
    shipped = client.post(f"/api/shipments/{shipment['id']}/ship-confirm/", body, format="json")
    assert shipped.status_code == 200, shipped.content
    shipped = shipped.json()
    assert (shipped["status"], shipped["status_display"], shipped["waybill"]) == (
        "SHIPPED",
        "Shipped",
        "1Z999",
    )
    assert shipped["shipped_by"] == "shipper" and shipped["shipped_at"]
    assert [(li["quantity"], li["status"]) for li in shipped["lines"]] == [("1.000", "SHIPPED")]
    lines = list(order.lines.order_by("pk").values_list("status", "quantity", "reserved_quantity"))
    assert lines == [
        (LineStatus.SHIPPED, Decimal("1"), Decimal("0")),
        (LineStatus.AWAITING_SHIPPING, Decimal("1"), Decimal("1")),
    ]
    assert on_hand(world) == (Decimal("1"), Decimal("1"))


def test_refusals_are_409_with_the_message_or_400_and_change_nothing(api_as, world, reserved):
    client = api_as("shipper")
    before = snapshot()
    nothing = client.post("/api/pick-waves/", _release_body(), format="json")
    assert (nothing.status_code, nothing.json()) == (409, {"detail": NOTHING_TO_RELEASE})
    order = reserved("2")
    shipment = release(world).shipments.get()
    line = shipment.lines.get()
    url = f"/api/shipments/{shipment.pk}/ship-confirm/"
    before = snapshot()
    too_much = client.post(
        url, {"lines": [{"shipment_line": line.pk, "quantity": "3"}]}, format="json"
    )
    assert too_much.status_code == 409
    message = SHIP_QUANTITY_OUT_OF_RANGE.format(line=order.lines.get(), released="2.000")
    assert too_much.json() == {"detail": message}
    foreign = client.post(
        url, {"lines": [{"shipment_line": 99999, "quantity": "1"}]}, format="json"
    )
    assert foreign.status_code == 400
    assert foreign.json() == {
        "lines": {"0": {"shipment_line": [f"No line 99999 on {shipment.number}."]}}
    }
    malformed = client.post(
        url, {"lines": [{"shipment_line": line.pk, "quantity": "1.0001"}]}, format="json"
    )
    assert malformed.status_code == 400 and "lines" in malformed.json()
    assert snapshot() == before
    assert client.post(url).status_code == 200
    before = snapshot()
    again = client.post(url)
    assert (again.status_code, again.json()) == (
        409,
        {"detail": f"{shipment.number} is already Shipped."},
    )
    assert snapshot() == before


def test_shipments_are_searched_as_on_the_shipments_page(api_as, world, reserved, client):
    first, second = reserved("1"), reserved("1")
    released = release(world, sales_order=first)
    other = release(world, sales_order=second).shipments.get()
    api = api_as("shipper")
    api.post(f"/api/shipments/{other.pk}/ship-confirm/")
    shipment = released.shipments.get()

    def numbers(**params):
        response = api.get("/api/shipments/", params)
        assert response.status_code == 200, response.content
        return [row["number"] for row in response.json()["results"]]

    assert numbers() == [other.number, shipment.number]
    assert numbers(status="SHIPPED") == [other.number]
    assert numbers(number=shipment.number) == [shipment.number]
    assert numbers(q=first.number) == [shipment.number]
    assert numbers(customer="C-1001") == [other.number, shipment.number]
    client.force_login(world.users["shipper"])
    page = client.get("/shipping/shipments/", {"status": "SHIPPED"})
    assert [row.number for row in page.context["object_list"]] == numbers(status="SHIPPED")
    for wrong in ({"status": "LOST"}, {"customer": "C-9999"}, {"number": "X"}):
        assert api.get("/api/shipments/", wrong).status_code == 400, wrong


def test_ship_confirm_ends_as_the_pages_does(api_as, world, reserved, client):
    """Two shipments of one unit each: one confirmed on the page, one through the API;
    both shipments, their lines and their order lines end in the same statuses."""
    first, second = reserved("1"), reserved("1")
    by_page, by_api = release(world).shipments.order_by("pk")
    client.force_login(world.users["shipper"])
    client.post(f"/shipping/shipments/{by_page.pk}/ship-confirm/", {"waybill": "W1"})
    api_as("shipper").post(
        f"/api/shipments/{by_api.pk}/ship-confirm/", {"waybill": "W1"}, format="json"
    )

    def outcome(shipment, order):
        shipment = Shipment.objects.get(pk=shipment.pk)
        lines = list(shipment.lines.values_list("status", "quantity"))
        return shipment.status, shipment.waybill, lines, list(order.lines.values_list("status"))

    assert outcome(by_page, first) == outcome(by_api, second)
    assert outcome(by_api, second)[0] == ShipmentStatus.SHIPPED


def test_without_a_token_every_shipping_endpoint_is_401(client, world):
    for method, url in [
        ("post", "/api/pick-waves/"),
        ("get", "/api/pick-waves/1/"),
        ("get", "/api/shipments/"),
        ("get", "/api/shipments/1/"),
        ("post", "/api/shipments/1/ship-confirm/"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token", url
