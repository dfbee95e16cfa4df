"""Every endpoint x every role: the same permissions as the page of the same action.

The expected roles are written out here (not read from the views), so a view that asks for
the wrong permission fails. Reads answer 200, writes 201 (or 200 for Book); a role
without the permission gets 403 and the refused write changes nothing; no token, 401.
Each test walks every role (one world per endpoint, not per role: the world is costly) and
names the roles that got another answer.
"""

import pytest

from orders.models import SalesOrder
from processes.models import ProcessRun
from tests.api.support import EVERY_ROLE, walk
from tests.helpers import place_order

pytestmark = pytest.mark.django_db

READ_ORDERS = {"clerk", "manager", "buyer", "shipper", "ar", "ops", "admin"}
ENTER_ORDERS = {"clerk", "manager", "admin"}
READ_RUNS = {"ar", "ops", "admin"}
# Progress Order is run by operations (and the roles the registry names among those who may
# open the run log at all, as on the Scheduled Processes page: none but operations).
RUN_PROGRESS_ORDER = {"ops", "admin"}


@pytest.fixture
def order(world):
    return place_order(world, ("SRV-DL380-G11", "1"))


def test_reading_orders(api_as, order):
    walk(api_as, READ_ORDERS, 200, lambda client, _: client.get("/api/orders/").status_code)
    walk(
        api_as,
        READ_ORDERS,
        200,
        lambda client, _: client.get(f"/api/orders/{order.pk}/").status_code,
    )


def test_entering_an_order(api_as, order_payload):
    def enter(client, username):
        before = SalesOrder.objects.count()
        response = client.post("/api/orders/", order_payload, format="json")
        made = SalesOrder.objects.count() - before
        assert made == (response.status_code == 201), username
        return response.status_code

    walk(api_as, ENTER_ORDERS, 201, enter)


def test_booking_an_order(api_as, world):
    def book(client, username):
        order = place_order(world, ("SRV-DL380-G11", "1"), book=False)
        response = client.post(f"/api/orders/{order.pk}/book/")
        booked = order.lines.get().status == "BOOKED"
        assert booked == (response.status_code == 200), username
        return response.status_code

    walk(api_as, ENTER_ORDERS, 200, book)


def test_the_peg_trace_is_open_to_every_role(api_as, order):
    line = order.lines.get()
    url = f"/api/order-lines/{line.pk}/peg-trace/"
    # A supplier's user sees their supplier's POs only, not the customer's side of the chain.
    walk(api_as, set(EVERY_ROLE) - {"supplier"}, 200, lambda client, _: client.get(url).status_code)


def test_reading_the_run_log(api_as, order):
    run = ProcessRun.objects.get(process="progress_order")
    walk(api_as, READ_RUNS, 200, lambda client, _: client.get("/api/process-runs/").status_code)
    walk(
        api_as,
        READ_RUNS,
        200,
        lambda client, _: client.get(f"/api/process-runs/{run.pk}/").status_code,
    )


def test_queueing_a_run(api_as, world):
    def queue(client, username):
        before = ProcessRun.objects.count()
        response = client.post(
            "/api/process-runs/", {"process": "progress_order", "business_unit": "US1"}
        )
        assert ProcessRun.objects.count() - before == (response.status_code == 201), username
        return response.status_code

    walk(api_as, RUN_PROGRESS_ORDER, 201, queue)


def test_the_registry_refuses_a_process_the_role_may_not_run(api_as):
    """The AR accountant opens the run log and runs Import AutoInvoice, not Progress Order:
    the service's refusal is a 403 with its message."""
    client = api_as("ar")
    refused = client.post(
        "/api/process-runs/", {"process": "progress_order", "business_unit": "US1"}
    )
    assert refused.status_code == 403
    assert refused.json() == {"detail": "ar is not allowed to run Progress Order."}
    allowed = client.post(
        "/api/process-runs/", {"process": "autoinvoice_import", "business_unit": "US1"}
    )
    assert allowed.status_code == 201, allowed.content


def test_without_a_token_every_endpoint_is_401(client, world):
    for method, url in [
        ("get", "/api/orders/"),
        ("post", "/api/orders/"),
        ("get", "/api/orders/1/"),
        ("post", "/api/orders/1/book/"),
        ("get", "/api/order-lines/1/peg-trace/"),
        ("get", "/api/process-runs/"),
        ("post", "/api/process-runs/"),
        ("get", "/api/process-runs/1/"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token", url
