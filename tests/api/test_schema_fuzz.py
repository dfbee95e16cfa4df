"""Schemathesis: requests generated from the OpenAPI schema, sent to the WSGI app as the
clerk, as a supplier and as the administrator (every role's permissions, every unit: the
200 answers of every endpoint), with tokens, every operation (issue 14, item 6).

Each answer must be no server error, a status code the schema declares, of its declared
content type, and a body the schema's response describes. Detail operations are also tried
on documents that exist (the world's order, its line, its run), so the 200 bodies are
checked, not only the 404s. Bounded: ``EXAMPLES`` cases per operation and role.
"""

from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.services import api_token_create
from invoicing.models import ARInvoice
from invoicing.services import autoinvoice_import
from processes.models import ProcessRun
from suppliers.services import ShipNoticeLineInput, ship_notice_create
from tests.helpers import enter_ap_invoice, place_order, receive, ship

pytestmark = pytest.mark.django_db

EXAMPLES = 10
# The actions on a document, tried on the document that exists too.
ACTIONS = {
    "/api/purchase-orders/{id}/": ("submit", "approve", "reject"),
    "/api/supplier/purchase-orders/{id}/": ("ship-notices", "invoices"),
    "/api/ship-notices/{id}/": ("receive",),
    "/api/shipments/{id}/": ("ship-confirm",),
    "/api/ap-invoices/{id}/": ("validate",),
    "/api/ar-invoices/{id}/": ("complete",),
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_app(world):
    """The portal's WSGI application, served in the test's transaction: like Django's test
    client, it must not close the database connection at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _existing_ids(world, drive_to_po, today) -> dict[str, int]:
    """Per path, an id the role may read, so generated cases also reach the 200 answers:
    a PO of two lines, one carried through every document (received, shipped, billed on both
    sides), the other on a ship notice; and a booked order."""
    order = place_order(world, ("SRV-DL380-G11", "2"))
    run = ProcessRun.objects.get()
    _supplied, [po_line, shipped_line] = drive_to_po(("SRV-DL380-G11", "1"), ("SRV-DL380-G11", "1"))
    po = po_line.purchase_order
    receipt = receive(world, shipped_line, "1")
    [shipment] = ship(world)
    ap_invoice = enter_ap_invoice(world, shipped_line, "1")
    autoinvoice_import(actor=world.users["ar"])
    notice = ship_notice_create(
        actor=world.users["supplier"],
        purchase_order=po,
        ship_date=today,
        expected_arrival=today,
        carrier="UPS",
        tracking_number="1Z",
        lines=[ShipNoticeLineInput(purchase_order_line=po_line, quantity=Decimal("1"))],
    )
    line = order.lines.get()
    ids = {
        "/api/orders/{id}/": order.pk,
        "/api/orders/{id}/book/": order.pk,
        "/api/order-lines/{id}/peg-trace/": line.pk,
        "/api/order-lines/{id}/re-promise/": line.pk,
        "/api/process-runs/{id}/": run.pk,
        "/api/pick-waves/{id}/": shipment.pick_wave_id,
        "/api/receipts/{id}/": receipt.pk,
        "/api/supplier/purchase-order-lines/{id}/acknowledge/": po_line.pk,
    }
    documents = {
        "/api/purchase-orders/{id}/": po.pk,
        "/api/supplier/purchase-orders/{id}/": po.pk,
        "/api/ship-notices/{id}/": notice.pk,
        "/api/shipments/{id}/": shipment.pk,
        "/api/ap-invoices/{id}/": ap_invoice.pk,
        "/api/ar-invoices/{id}/": ARInvoice.objects.get().pk,
    }
    for path, pk in documents.items():  # the document and each of its actions
        ids[path] = pk
        for action in ACTIONS.get(path, ()):
            ids[path + action + "/"] = pk
    return ids


def _cases(operation, headers: dict, existing: dict[str, int]):
    generated = operation.as_strategy(headers=headers)
    if operation.path not in existing:
        return generated
    known = operation.as_strategy(headers=headers, path_parameters={"id": existing[operation.path]})
    return st.one_of(generated, known)


@pytest.mark.parametrize("username", ["clerk", "supplier", "admin"])
def test_every_operation_answers_as_its_schema_says(world, wsgi_app, drive_to_po, today, username):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    _token, key = api_token_create(actor=world.users[username], name="schemathesis")
    headers = {"Authorization": f"Token {key}"}
    existing = _existing_ids(world, drive_to_po, today)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 38

    for operation in operations:

        @given(case=_cases(operation, headers, existing))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_documented(case):
            case.call_and_validate(checks=CHECKS)

        answers_as_documented()
