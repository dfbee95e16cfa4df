"""Issue 14, acceptance 4: the whole Back-to-Back cycle through the REST API alone, each
step by its role's own token: the clerk books, operations run the processes, the buyer
approves, the supplier acknowledges and sends a ship notice, the receiver receives against
it, the shipper releases and ships, the supplier's invoice is validated by AP, and AR's
AutoInvoice run makes the invoice AR completes.

It must end where the pages end (``tests/browser/test_full_cycle.py``): the same chain of
documents with the same statuses, read from the API's Peg Trace and from the database
(``tests.cycle.chain``), and the same statuses moved by the same roles. Tasks run eagerly
once each request's transaction commits (``django_capture_on_commit_callbacks``).
"""

from datetime import timedelta
from decimal import Decimal
from unittest.mock import ANY

import pytest

from invoicing.models import APInvoice, ARInvoice
from orders.models import SalesOrderLine
from procurement.models import PurchaseOrder
from receiving.models import Receipt
from shipping.models import Shipment
from suppliers.models import ShipNotice
from tests.cycle.chain import LINE_STATUS_PERIODS, chain_in_the_database
from tests.helpers import history_users

pytestmark = pytest.mark.django_db


class Cycle:
    """The role clients, each request committed and its on-commit tasks run."""

    def __init__(self, api_as, capture):
        self.clients, self.capture = {}, capture
        self.api_as = api_as

    def as_(self, role):
        if role not in self.clients:
            self.clients[role] = self.api_as(role)
        return self.clients[role]

    def post(self, role, url, body=None, expect=200):
        with self.capture(execute=True):
            response = self.as_(role).post(url, body or {}, format="json")
        assert response.status_code == expect, (role, url, response.content)
        return response.json()

    def get(self, role, url, params=None):
        response = self.as_(role).get(url, params)
        assert response.status_code == 200, (role, url, response.content)
        return response.json()

    def run(self, role, process, **parameters):
        run = self.post(role, "/api/process-runs/", {"process": process, **parameters}, expect=201)
        run = self.get(role, f"/api/process-runs/{run['id']}/")
        assert run["status"] == "SUCCEEDED", run
        return run


def test_the_roles_take_an_order_through_the_whole_cycle_with_the_api_alone(
    world, api_as, order_payload, today, django_capture_on_commit_callbacks
):
    cycle = Cycle(api_as, django_capture_on_commit_callbacks)

    # The clerk enters and books 2 servers; booking's Progress Order gives it supply.
    order = cycle.post("clerk", "/api/orders/", order_payload, expect=201)
    order = cycle.post("clerk", f"/api/orders/{order['id']}/book/")
    [line] = cycle.get("clerk", f"/api/orders/{order['id']}/")["lines"]
    assert line["status"] == "AWAITING_SUPPLY"

    # Operations generate the requisition and AutoCreate the PO, for the supplier's buyer
    # (master data, as in the demo).
    world.suppliers["S-100"].buyer = world.users["buyer"]
    world.suppliers["S-100"].save(update_fields=["buyer"])
    cycle.run("ops", "generate_supply_orders", business_unit="US1")
    cycle.run("ops", "autocreate_purchase_orders", business_unit="US1")
    [po] = cycle.get("buyer", "/api/purchase-orders/")["results"]
    po = cycle.get("buyer", f"/api/purchase-orders/{po['id']}/")
    [po_line] = po["lines"]
    assert (po_line["sales_order_line"], po_line["quantity"]) == (line["id"], "2.000")
    assert (po["status"], po["buyer"]) == ("DRAFT", "buyer")

    # The buyer submits and approves it: the supplier sees it from then on.
    cycle.post("buyer", f"/api/purchase-orders/{po['id']}/submit/")
    po = cycle.post("buyer", f"/api/purchase-orders/{po['id']}/approve/")
    assert po["status"] == "OPEN"
    supplier_pos = cycle.get("supplier", "/api/supplier/purchase-orders/")["results"]
    assert [each["number"] for each in supplier_pos] == [po["number"]]

    # The supplier accepts the line and ships it, arriving before the scheduled ship date.
    cycle.post(
        "supplier",
        f"/api/supplier/purchase-order-lines/{po_line['id']}/acknowledge/",
        {"kind": "ACCEPTED"},
        expect=201,
    )
    arrival = today + timedelta(days=3)
    notice = cycle.post(
        "supplier",
        f"/api/supplier/purchase-orders/{po['id']}/ship-notices/",
        {
            "ship_date": today.isoformat(),
            "expected_arrival": arrival.isoformat(),
            "carrier": "UPS",
            "tracking_number": "1Z-API-0001",
            "lines": [{"line": po_line["id"], "quantity": "2"}],
        },
        expect=201,
    )
    po_line = cycle.get("buyer", f"/api/purchase-orders/{po['id']}/")["lines"][0]
    assert po_line["expected_date"] == arrival.isoformat()
    line = cycle.get("clerk", f"/api/orders/{order['id']}/")["lines"][0]
    assert (line["at_risk"], line["days_late"]) == (False, 0)

    # The receiver finds the ship notice among the expected shipments and receives it.
    expected = cycle.get("receiver", "/api/ship-notices/")["results"]
    assert [each["number"] for each in expected] == [notice["number"]]
    receipt = cycle.post(
        "receiver",
        f"/api/ship-notices/{notice['id']}/receive/",
        {"packing_slip": "PS-API-1"},
        expect=201,
    )
    assert [(each["quantity"], each["sales_order_line"]) for each in receipt["lines"]] == [
        ("2.000", line["id"])
    ]
    line = cycle.get("clerk", f"/api/orders/{order['id']}/")["lines"][0]
    assert line["status"] == "AWAITING_SHIPPING"

    # The shipper releases the reserved line and ships it.
    wave = cycle.post(
        "shipper",
        "/api/pick-waves/",
        {"business_unit": "US1", "warehouse": "M1"},
        expect=201,
    )
    [shipment] = wave["shipments"]
    shipment = cycle.post(
        "shipper",
        f"/api/shipments/{shipment['id']}/ship-confirm/",
        {"waybill": "1Z-B2B-0001"},
    )
    assert shipment["status"] == "SHIPPED"

    # The supplier invoices what it shipped; AP validates the draft it became.
    cycle.post(
        "supplier",
        f"/api/supplier/purchase-orders/{po['id']}/invoices/",
        {
            "supplier_invoice_number": "S100-INV-0001",
            "invoice_date": today.isoformat(),
            "lines": [{"line": po_line["id"], "quantity": "2"}],
        },
        expect=201,
    )
    [ap_invoice] = cycle.get("ap", "/api/ap-invoices/")["results"]
    assert ap_invoice["status"] == "DRAFT"
    ap_invoice = cycle.post("ap", f"/api/ap-invoices/{ap_invoice['id']}/validate/")
    assert ap_invoice["status"] == "VALIDATED"

    # AR imports AutoInvoice and completes the invoice.
    cycle.run("ar", "autoinvoice_import", business_unit="US1")
    [ar_invoice] = cycle.get("ar", "/api/ar-invoices/")["results"]
    ar_invoice = cycle.post("ar", f"/api/ar-invoices/{ar_invoice['id']}/complete/")
    assert ar_invoice["status"] == "COMPLETE"

    # Where the pages end: the same chain, on the Peg Trace and in the database.
    so_line = SalesOrderLine.objects.get(pk=line["id"])
    trace = cycle.get("clerk", f"/api/order-lines/{so_line.pk}/peg-trace/")
    chain = {
        stage["title"]: [(doc["number"], doc["status"]) for doc in stage["documents"]]
        for stage in trace["stages"]
    }
    # The supplier's answers are the API cycle's own stages; the rest is the pages' chain.
    assert chain.pop("Supplier acknowledgement") == [(ANY, "Accepted")]
    assert chain.pop("Ship notice") == [(notice["number"], "Received")]
    assert chain == chain_in_the_database(so_line)
    periods = [(period["status"], period["moved_by"]) for period in trace["periods"]]
    assert periods == LINE_STATUS_PERIODS
    order = cycle.get("clerk", f"/api/orders/{order['id']}/")
    assert (order["status"], order["lines"][0]["status"]) == ("CLOSED", "CLOSED")

    # One document of each kind, each moved by the role that acted on it.
    counts = [
        model.objects.count()
        for model in (PurchaseOrder, ShipNotice, Receipt, Shipment, APInvoice, ARInvoice)
    ]
    assert counts == [1, 1, 1, 1, 1, 1]
    assert ShipNotice.objects.get().get_status_display() == "Received"
    assert history_users(Shipment.objects.get()) == ["shipper", "shipper"]
    assert history_users(Receipt.objects.get()) == ["receiver"]
    amounts = APInvoice.objects.get(), ARInvoice.objects.get()
    assert [invoice.total_amount for invoice in amounts] == [
        Decimal("79600.00"),
        Decimal("97000.00"),
    ]
