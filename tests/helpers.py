"""Small helpers the tests share: documents made through the services (an order, a
receipt), what the database holds (a snapshot to prove that a refused action changed
nothing, on-hand, who wrote the history), users of one unit, and what a page costs and says.
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_fsm import FSMField

from inventory.models import OnHandBalance
from invoicing.services import APLineInput, ap_invoice_create
from orchestration.services import sales_order_line_cancel, sales_order_line_change_quantity
from orders.services import OrderLineInput, sales_order_book, sales_order_create
from receiving.services import ReceiptLineInput, receipt_create
from shipping.models import Shipment
from shipping.services import pick_release, shipment_ship_confirm
from tests.factories import UserFactory

# The project's own apps, as settings install them: those beside the settings package.
PROJECT_APPS = [
    config.label
    for config in apps.get_app_configs()
    if Path(config.path).parent == Path(settings.BASE_DIR)
]
# The apps whose rows the services write: not master data (catalog), not the run log.
DOMAIN_APPS = [label for label in PROJECT_APPS if label not in ("catalog", "processes")]


def laptop(database: Path, redis_url: str = "") -> dict:
    """The environment of `make run`: local settings, a SQLite file, Redis or not."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "b2b_portal.settings.local",
        "DATABASE_URL": f"sqlite:///{database}",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        "REDIS_URL": redis_url,
    }


def place_order(world, *lines, customer="C-1001", unit="US1", warehouse="M1", book=True):
    """Create (and book) an order of ``(item number, quantity)`` lines as the clerk."""
    clerk = world.users["clerk"]
    order = sales_order_create(
        actor=clerk,
        business_unit=world.units[unit],
        customer=world.customers[customer],
        warehouse=world.warehouses[warehouse],
        requested_date=timezone.localdate() + timedelta(days=30),
        lines=[
            OrderLineInput(item=world.items[number], quantity=Decimal(qty)) for number, qty in lines
        ],
    )
    if book:
        sales_order_book(actor=clerk, sales_order=order)
    return order


def _snapshot_select(model) -> str:
    """One model's part of the snapshot: its row count and, for a model with a status or
    a quantity, every row's pk, statuses and quantities in pk order."""
    quote = connection.ops.quote_name
    fields = [
        field
        for field in model._meta.fields
        if isinstance(field, FSMField) or field.name.endswith("quantity")
    ]
    rows = "NULL"
    if fields:
        columns = ", ".join(quote(field.column) for field in [model._meta.pk, *fields])
        rows = f"json_agg(json_build_array({columns}) ORDER BY {quote(model._meta.pk.column)})"
    return f"SELECT %s, json_build_array(COUNT(*), {rows})::text FROM {quote(model._meta.db_table)}"


def snapshot() -> dict:
    """Row counts of every domain model (history included), every FSM status and every
    quantity, read in one statement: a test of a refused action takes two of them, the
    form fuzz hundreds."""
    models = [model for label in DOMAIN_APPS for model in apps.get_app_config(label).get_models()]
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(_snapshot_select(model) for model in models),
            [model._meta.label for model in models],
        )
        return dict(cursor.fetchall())


def receive(world, po_line, quantity):
    """Receive ``quantity`` on one PO line as the receiving agent; returns the receipt."""
    return receipt_create(
        actor=world.users["receiver"],
        purchase_order=po_line.purchase_order,
        lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=Decimal(quantity))],
    )


def enter_ap_invoice(world, po_line, quantity, unit_price=None, number="INV-1"):
    """Enter, as AP, an invoice of one PO line dated today (no unit price: the PO's)."""
    return ap_invoice_create(
        actor=world.users["ap"],
        purchase_order=po_line.purchase_order,
        supplier_invoice_number=number,
        invoice_date=timezone.localdate(),
        lines=[
            APLineInput(
                purchase_order_line=po_line, quantity=Decimal(quantity), unit_price=unit_price
            )
        ],
    )


def release(world, **criteria):
    """Pick release, as the shipper, what is reserved in US1's warehouse M1 (``criteria``
    narrow it, e.g. ``sales_order=``); returns the wave."""
    return pick_release(
        actor=world.users["shipper"],
        business_unit=world.units["US1"],
        warehouse=world.warehouses["M1"],
        **criteria,
    )


def ship(world, **criteria) -> list[Shipment]:
    """Pick release and ship confirm, as the shipper, what is reserved in US1's M1."""
    wave = release(world, **criteria)
    return [
        shipment_ship_confirm(actor=world.users["shipper"], shipment=shipment)
        for shipment in wave.shipments.order_by("pk")
    ]


def cancel(world, line, reason="customer changed their mind"):
    """Cancel a sales order line as the clerk."""
    return sales_order_line_cancel(actor=world.users["clerk"], sales_order_line=line, reason=reason)


def change(world, line, quantity):
    """Change a sales order line's quantity as the clerk."""
    return sales_order_line_change_quantity(
        actor=world.users["clerk"],
        sales_order_line=line,
        quantity=Decimal(quantity),
        reason="customer asked",
    )


def on_hand(world, item="SRV-DL380-G11", warehouse="M1") -> tuple[Decimal, Decimal]:
    """(on-hand, reserved) of an item in a warehouse."""
    balance = OnHandBalance.objects.get(
        item=world.items[item], warehouse=world.warehouses[warehouse]
    )
    return balance.quantity, balance.reserved_quantity


def history_users(obj) -> list[str]:
    """Who wrote each history row of ``obj``, oldest first."""
    return [record.history_user.username for record in obj.history.order_by("history_id")]


def unit_user(world, username: str, role: str, unit: str = "EU1"):
    """A user holding ``role`` who works in ``unit`` only (by default the other unit)."""
    return UserFactory(username=username, role=role, units=[world.units[unit]])


def queries_to_render(client, url: str, **params) -> int:
    """How many queries a GET of the page costs; the page must answer 200, and a list page
    (one with ``object_list``) must list rows, or the count would measure nothing. Counted
    on the second of two requests: the first may fill what is kept between requests (the
    user's permissions, the dashboard's counts), which a page's rows do not change."""
    client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    if "object_list" in response.context:
        assert response.context["object_list"], "the page lists no rows: nothing is measured"
    return len(queries)


def messages_of(response) -> list[str]:
    """The messages a response (a page, or the redirect after a POST) carries."""
    return [str(message) for message in get_messages(response.wsgi_request)]
