"""Helpers of the buyer's and receiving agent's page tests: volume, other units, queries."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orchestration.demo import bulk_book_orders
from procurement.models import POStatus, PurchaseOrder
from procurement.services import (
    orders_progress,
    purchase_order_approve,
    purchase_order_submit,
    purchase_orders_autocreate,
    supply_orders_generate,
)


def requisition_lines_in_bulk(world, count: int) -> None:
    """``count`` more approved requisition lines, one per booked one-line order."""
    bulk_book_orders(world, count=count)
    orders_progress(actor=world.users["manager"])
    supply_orders_generate(actor=world.users["buyer"])


def purchase_orders_in_bulk(world, count: int, *, approve: bool = False) -> None:
    """``count`` more one-line draft POs (AutoCreate one line a chunk), approved if asked."""
    requisition_lines_in_bulk(world, count)
    purchase_orders_autocreate(actor=world.users["buyer"], batch_size=1)
    if approve:
        buyer = world.users["buyer"]
        for purchase_order in PurchaseOrder.objects.filter(status=POStatus.DRAFT):
            purchase_order = purchase_order_submit(actor=buyer, purchase_order=purchase_order)
            purchase_order_approve(actor=buyer, purchase_order=purchase_order)


def queries_to_render(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    assert response.context["object_list"], "the page lists no rows: nothing is measured"
    return len(queries)


def user_of_unit(world, username: str, role: str, unit: str = "EU1"):
    """A user holding ``role`` who works in ``unit`` only."""
    user = get_user_model().objects.create_user(username)
    user.groups.add(Group.objects.get(name=role))
    world.units[unit].members.add(user)
    return user
