"""Data for the admin tests: the shared demo world carried through the whole cycle, so
that every changelist, change and history page has rows to show."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from invoicing.services import APLineInput, ap_invoice_create, ap_invoice_validate
from invoicing.services import autoinvoice_import as run_autoinvoice
from tests.admin.support import changelist_url
from tests.factories import UserFactory
from tests.helpers import place_order, receive, ship


@pytest.fixture(autouse=True)
def _roles_with_the_admin(roles_with_the_admin):
    """Every admin test signs in as role users who may open the admin."""


@pytest.fixture
def full_cycle(world, drive_to_po, today):
    """One order from booking to both invoices; the AP invoice sits on a price hold.

    Also an order entered and not booked, so that the book action has work.
    """
    users = world.users
    order, po_lines = drive_to_po(("SRV-DL380-G11", "2"))
    po_line = po_lines[0]
    purchase_order = po_line.purchase_order
    receive(world, po_line, "2")
    ship(world)
    ap_invoice = ap_invoice_create(
        actor=users["ap"],
        purchase_order=purchase_order,
        supplier_invoice_number="NW-1001",
        invoice_date=today,
        lines=[
            APLineInput(
                purchase_order_line=po_line,
                quantity=Decimal("2"),
                unit_price=po_line.unit_price + Decimal("100"),
            )
        ],
    )
    ap_invoice_validate(actor=users["ap"], invoice=ap_invoice)
    ap_invoice.refresh_from_db()
    run_autoinvoice(actor=users["ar"])
    entered = place_order(world, ("STO-A400-96T", "1"), book=False)
    return {
        "order": order,
        "purchase_order": purchase_order,
        "ap_invoice": ap_invoice,
        "entered_order": entered,
    }


@pytest.fixture
def make_staff_user(world):
    """A staff user with exactly these permissions, member of these business units."""

    def make(username, permissions, units=("US1",)):
        return UserFactory(
            username=username,
            is_staff=True,
            permissions=permissions,
            units=[world.units[code] for code in units],
        )

    return make


@pytest.fixture
def post_action(client):
    """POST an admin action on these objects as ``user``, following the redirect."""

    def post(user, model, action, objects, **extra):
        client.force_login(user)
        data = {
            "action": action,
            "index": 0,
            ACTION_CHECKBOX_NAME: [obj.pk for obj in objects],
            **extra,
        }
        return client.post(changelist_url(model), data, follow=True)

    return post
