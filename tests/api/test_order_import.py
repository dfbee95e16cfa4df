"""Order Import through the API (``POST /api/orders/import/``): each order checked as
``POST /api/orders/`` checks it, a refused one listed with its index and errors while the
others are made; a malformed body or more than 500 orders is a 400, nothing made."""

import copy
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import LineStatus, SalesOrder, SalesOrderLine
from processes.models import ProcessRun
from tests.api.conftest import token_client
from tests.api.support import walk
from tests.factories import UserFactory
from tests.helpers import snapshot

pytestmark = pytest.mark.django_db

URL = "/api/orders/import/"
# A booked import over the API whatever its orders: the token, the units, customers,
# warehouses and items the orders name (a query each), then the service's statements
# (tests/orders/test_order_import.py) with the lock on its customers' PO numbers and the
# orders they already made, and the clerk's permissions and units (read by every request
# here: the cache keeps what a committed transaction read, and a test's never is).
IMPORT_QUERIES = 16


# Every order a PO number of its own: the customer's same PO number twice is refused.
_po_numbers = itertools.count(1)


def _orders(order_payload, count: int) -> list[dict]:
    return [
        copy.deepcopy(order_payload) | {"customer_po_number": f"EDI-{next(_po_numbers)}"}
        for _ in range(count)
    ]


def test_valid_orders_are_booked_and_refused_ones_listed(api_as, world, order_payload):
    orders = _orders(order_payload, 4)
    orders[1]["customer"] = "C-9999"
    orders[2]["lines"][0]["quantity"] = "0"
    response = api_as("clerk").post(URL, {"book": True, "orders": orders}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    made = SalesOrder.objects.order_by("pk")
    assert body["created"] == [
        {"index": index, "id": order.pk, "number": order.number}
        for index, order in zip((0, 3), made, strict=True)
    ]
    assert [order.customer_po_number for order in made] == [
        orders[0]["customer_po_number"],
        orders[3]["customer_po_number"],
    ]
    assert body["failed"] == [
        {"index": 1, "errors": {"customer": ["Object with number=C-9999 does not exist."]}},
        {"index": 2, "errors": {"detail": "Quantity must be greater than zero."}},
    ]
    assert list(SalesOrderLine.objects.values_list("status", flat=True)) == [LineStatus.BOOKED] * 2
    assert {order.booked_by for order in made} == {world.users["clerk"]}
    assert ProcessRun.objects.filter(process="progress_order").count() == 1


def test_entered_only_when_not_booking(api_as, order_payload):
    response = api_as("clerk").post(URL, {"orders": _orders(order_payload, 2)}, format="json")
    assert response.status_code == 201, response.content
    assert len(response.json()["created"]) == 2
    assert set(SalesOrderLine.objects.values_list("status", flat=True)) == {LineStatus.ENTERED}
    assert not ProcessRun.objects.exists()


def test_a_batch_of_refused_orders_only_is_200_and_makes_nothing(api_as, order_payload):
    order_payload["customer"] = "C-2001"  # another unit's customer: unknown here
    clerk = api_as("clerk")
    before = snapshot()
    response = clerk.post(URL, {"book": True, "orders": [order_payload]}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "created": [],
        "failed": [
            {"index": 0, "errors": {"customer": ["Object with number=C-2001 does not exist."]}}
        ],
    }
    assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [
        {"book": True},
        {"orders": []},
        {"orders": "SO-1"},
        {"orders": ["not an order"]},
        {"book": "maybe", "orders": [{}]},
    ],
    ids=["no orders", "empty", "not a list", "not an object", "bad book"],
)
def test_a_malformed_body_is_400(api_as, body):
    clerk = api_as("clerk")
    before = snapshot()
    assert clerk.post(URL, body, format="json").status_code == 400
    assert snapshot() == before


def test_more_than_500_orders_is_400(api_as, order_payload):
    clerk = api_as("clerk")
    before = snapshot()
    response = clerk.post(URL, {"orders": _orders(order_payload, 501)}, format="json")
    assert response.status_code == 400
    assert response.json() == {"orders": ["Ensure this field has no more than 500 elements."]}
    assert snapshot() == before


def test_importing_needs_the_permission_to_create_orders(api_as, order_payload):
    def post(client, _username):
        orders = _orders(order_payload, 1)
        return client.post(URL, {"orders": orders}, format="json").status_code

    walk(api_as, {"clerk", "manager", "admin"}, 201, post)


def test_booking_an_import_needs_the_permission_to_book(world, order_payload):
    entry_only = token_client(
        UserFactory(
            username="edi",
            units=[world.units["US1"]],
            permissions=["orders.add_salesorder", "orders.view_salesorder"],
        )
    )
    before = snapshot()
    refused = entry_only.post(URL, {"book": True, "orders": [order_payload]}, format="json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "edi is not allowed to book sales orders."}
    assert snapshot() == before
    entered = entry_only.post(URL, {"book": False, "orders": [order_payload]}, format="json")
    assert entered.status_code == 201


def test_an_import_costs_the_same_queries_for_5_and_50_orders(api_as, order_payload):
    """The codes the orders name are read once a batch, not once a field of each order."""
    clerk = api_as("clerk")
    order_payload["lines"].append({"item": "CBL-CAT6-3M", "quantity": "4"})

    def queries(count: int) -> int:
        orders = _orders(order_payload, count)
        orders[-1]["customer"] = "C-9999"
        with CaptureQueriesContext(connection) as queries:
            response = clerk.post(URL, {"book": True, "orders": orders}, format="json")
        assert response.status_code == 201, response.content
        assert len(response.json()["created"]) == count - 1
        return len(queries)

    queries(2)  # the token's user, permissions and units; the unit's run queued
    assert queries(5) == queries(50) == IMPORT_QUERIES
    assert SalesOrderLine.objects.filter(status=LineStatus.BOOKED).count() == 2 * (1 + 4 + 49)


def test_a_batch_sent_again_is_refused_order_by_order(api_as, order_payload):
    """A feed's retry of a batch that did arrive makes nothing twice."""
    clerk, orders = api_as("clerk"), _orders(order_payload, 2)
    first = clerk.post(URL, {"book": True, "orders": orders}, format="json").json()
    before = snapshot()
    again = clerk.post(URL, {"book": True, "orders": orders}, format="json")

    assert again.status_code == 200
    assert again.json() == {
        "created": [],
        "failed": [
            {
                "index": index,
                "errors": {
                    "detail": f"Customer C-1001 already sent PO {order['customer_po_number']}: "
                    f"it is {made['number']}."
                },
            }
            for index, (order, made) in enumerate(zip(orders, first["created"], strict=True))
        ],
    }
    assert snapshot() == before


def test_a_po_twice_in_one_body_names_the_earlier_order_by_its_place_in_the_body(
    api_as, order_payload
):
    """Entry 0 is refused field by field, so the service never sees it: the PO number
    repeated at 2 must still point at 1, its place in what the feed sent."""
    orders = _orders(order_payload, 3)
    orders[0]["customer"] = "C-9999"
    orders[2]["customer_po_number"] = orders[1]["customer_po_number"]
    body = api_as("clerk").post(URL, {"orders": orders}, format="json").json()

    assert [made["index"] for made in body["created"]] == [1]
    assert body["failed"][1] == {
        "index": 2,
        "errors": {
            "detail": f"Customer C-1001 PO {orders[1]['customer_po_number']} is already "
            "entry 1 of this import."
        },
    }
