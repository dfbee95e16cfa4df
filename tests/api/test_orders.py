"""Sales orders through the API: entered and booked by the services, read with their lines,
statuses and dates as decimal strings; another unit's order is a 404, a refused booking a
409 with the service's message and nothing changed."""

import pytest

from orders.models import LineStatus, SalesOrder
from processes.models import ProcessRun, Trigger
from tests.api.conftest import token_client
from tests.factories import ItemFactory
from tests.helpers import place_order, snapshot, unit_user

pytestmark = pytest.mark.django_db


def test_an_order_is_entered_then_booked(api_as, world, order_payload, today):
    clerk = api_as("clerk")
    order_payload["lines"].append(
        {"item": "STO-A400-96T", "quantity": "1.5", "unit_selling_price": "130000.50"}
    )
    response = clerk.post("/api/orders/", order_payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    order = SalesOrder.objects.get(pk=body["id"])
    assert body["number"] == order.number
    assert body["status"] == "ENTERED" and body["status_display"] == "Entered"
    assert body["customer"] == "C-1001" and body["customer_po_number"] == "ACME-PO-77"
    assert body["ordered_date"] == today.isoformat()
    assert body["requested_date"] == order_payload["requested_date"]
    assert body["booked_at"] is None and body["created_by"] == "clerk"
    # Money and quantities are decimal strings; an empty price is the list price.
    assert [
        (line["item"], line["quantity"], line["unit_selling_price"]) for line in body["lines"]
    ] == [
        ("SRV-DL380-G11", "2.000", "48500.00"),
        ("STO-A400-96T", "1.500", "130000.50"),
    ]
    assert body["total_amount"] == "292000.75"
    assert order.history.first().history_user == world.users["clerk"]

    booked = clerk.post(f"/api/orders/{order.pk}/book/")
    assert booked.status_code == 200, booked.content
    assert booked.json()["booked_by"] == "clerk" and booked.json()["booked_at"]
    assert {line.status for line in order.lines.all()} == {LineStatus.BOOKED}
    # The booking queued Progress Order for the order's unit, as from the page.
    run = ProcessRun.objects.get(process="progress_order")
    assert run.trigger == Trigger.EVENT
    assert run.parameters == {"business_unit": order.business_unit_id}


def test_reading_orders_with_their_lines_and_filters(api_as, world):
    booked = place_order(world, ("SRV-DL380-G11", "2"))
    entered = place_order(world, ("CBL-CAT6-3M", "10"), customer="C-1002", book=False)
    client = api_as("clerk")

    listed = client.get("/api/orders/").json()
    assert listed["count"] == 2
    assert [order["number"] for order in listed["results"]] == [entered.number, booked.number]

    by_status = client.get("/api/orders/", {"status": "ENTERED"}).json()
    assert [order["number"] for order in by_status["results"]] == [entered.number]
    by_customer = client.get("/api/orders/", {"customer": "Globex"}).json()
    assert [order["number"] for order in by_customer["results"]] == [entered.number]
    by_number = client.get("/api/orders/", {"number": booked.number}).json()
    assert [order["number"] for order in by_number["results"]] == [booked.number]
    paged = client.get("/api/orders/", {"page_size": 1, "page": 2}).json()
    assert [order["number"] for order in paged["results"]] == [booked.number]

    bad = client.get("/api/orders/", {"ordered_from": "2026-12-31", "ordered_to": "2026-01-01"})
    assert bad.status_code == 400
    assert bad.json()["ordered_to"][0]["message"] == "The end date is before the start date."

    detail = client.get(f"/api/orders/{booked.pk}/").json()
    [line] = detail["lines"]
    assert line["status"] == "BOOKED" and line["quantity"] == "2.000"
    assert line["amount"] == "97000.00" and line["reserved_quantity"] == "0.000"
    assert line["peg_trace"].endswith(f"/api/order-lines/{line['id']}/peg-trace/")


def test_another_units_order_is_not_found(api_as, world):
    order = place_order(world, ("SRV-DL380-G11", "1"), book=False)
    line = order.lines.get()
    client = token_client(unit_user(world, "eu_clerk", "Order Entry Clerk"))
    for url in (f"/api/orders/{order.pk}/", f"/api/order-lines/{line.pk}/peg-trace/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/api/orders/{order.pk}/book/").status_code == 404
    assert client.get("/api/orders/").json()["count"] == 0
    assert order.lines.get().status == LineStatus.ENTERED


def test_an_order_cannot_name_another_units_customer_or_item(api_as, order_payload):
    order_payload["customer"] = "C-2001"
    order_payload["lines"][0]["item"] = "SRV-DL380-EU"
    response = api_as("clerk").post("/api/orders/", order_payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["customer"] == ["Object with number=C-2001 does not exist."]
    assert body["lines"] == {"0": {"item": ["Object with number=SRV-DL380-EU does not exist."]}}
    assert not SalesOrder.objects.exists()


def test_a_refused_booking_is_409_with_the_message_and_changes_nothing(api_as, world):
    item = ItemFactory(business_unit=world.units["US1"], number="SRV-NO-BUY", purchasable=False)
    world.items[item.number] = item
    order = place_order(world, ("SRV-NO-BUY", "1"), book=False)
    clerk = api_as("clerk")
    before = snapshot()
    response = clerk.post(f"/api/orders/{order.pk}/book/")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Line 1: item SRV-NO-BUY cannot be booked as a Back-to-Back line; it is "
        "missing: Purchasable."
    }
    assert snapshot() == before

    booked = place_order(world, ("SRV-DL380-G11", "1"))
    again = clerk.post(f"/api/orders/{booked.pk}/book/")
    assert again.status_code == 409
    assert again.json() == {"detail": f"{booked.number} has no entered lines to book."}


def test_a_service_refusal_of_an_entry_is_409(api_as, order_payload):
    order_payload["lines"][0]["quantity"] = "0"
    response = api_as("clerk").post("/api/orders/", order_payload, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "Quantity must be greater than zero."}
    assert not SalesOrder.objects.exists()


def test_decimals_beyond_their_places_are_400(api_as, order_payload):
    order_payload["lines"][0]["quantity"] = "1.0001"
    response = api_as("clerk").post("/api/orders/", order_payload, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "lines": {"0": {"quantity": ["Ensure that there are no more than 3 decimal places."]}}
    }
    assert not SalesOrder.objects.exists()
