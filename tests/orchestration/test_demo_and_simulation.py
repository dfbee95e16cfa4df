"""The demo data loader and the cycle simulator."""

import json
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from b2b_portal.errors import PermissionRefused
from b2b_portal.roles import ROLES
from catalog.models import Item
from orchestration.consistency import check_consistency
from orchestration.demo import load_demo_data
from orders.models import LineStatus, SalesOrderLine
from procurement.models import POStatus, PurchaseOrder, PurchaseOrderLine, SourcingRule
from procurement.services import (
    orders_progress,
    purchase_order_approve,
    purchase_order_submit,
    purchase_orders_autocreate,
    supply_orders_generate,
)
from tests.helpers import place_order

pytestmark = pytest.mark.django_db


def test_load_demo_data_is_idempotent_and_gives_each_role_a_user():
    call_command("load_demo_data", stdout=StringIO())
    counts = (Item.objects.count(), SourcingRule.objects.count(), Group.objects.count())
    call_command("load_demo_data", stdout=StringIO())
    assert (Item.objects.count(), SourcingRule.objects.count(), Group.objects.count()) == counts
    for role, spec in ROLES.items():
        group = Group.objects.get(name=role)
        assert group.user_set.filter(username=spec["username"]).exists()
        if not spec.get("superuser"):
            assert group.permissions.count() >= len(spec["permissions"]) > 0


def test_simulate_cycle_closes_every_line_and_pegs_each_to_its_own_po_line():
    out = StringIO()
    call_command("simulate_cycle", orders=6, stdout=out)
    summary = json.loads(out.getvalue())
    lines = SalesOrderLine.objects.count()
    assert summary["documents"]["sales_orders"] == 6
    assert summary["lines_by_status"] == {LineStatus.CLOSED: lines}
    assert summary["documents"]["purchase_order_lines"] == lines
    assert summary["documents"]["ar_invoices"] == 6
    pegged = PurchaseOrderLine.objects.values_list("sales_order_line", flat=True)
    assert sorted(pegged) == sorted(SalesOrderLine.objects.values_list("pk", flat=True))


def test_simulate_cycle_mixed_leaves_orders_at_every_stage():
    out = StringIO()
    call_command("simulate_cycle", orders=14, mixed=True, stdout=out)
    statuses = set(json.loads(out.getvalue())["lines_by_status"])
    assert {
        LineStatus.ENTERED,
        LineStatus.BOOKED,
        LineStatus.AWAITING_SUPPLY,
        LineStatus.AWAITING_SHIPPING,
        LineStatus.SHIPPED,
        LineStatus.CLOSED,
    } <= statuses
    assert check_consistency() == []


def test_demo_pos_made_by_the_ops_users_runs_belong_to_the_assigned_buyer():
    """The scheduled runs of ``make run`` are the ops user's: the POs they make are the
    assigned buyer's, who approves a server PO himself; a storage array's PO is above US1's
    limit and needs a second approver."""
    world = load_demo_data()
    users = world.users
    place_order(world, ("SRV-DL380-G11", 1), ("STO-A400-96T", 1))
    orders_progress(actor=users["ops"])
    supply_orders_generate(actor=users["ops"])
    purchase_orders_autocreate(actor=users["ops"])
    purchase_orders = {po.supplier.number: po for po in PurchaseOrder.objects.all()}
    assert sorted(purchase_orders) == ["S-100", "S-200"]
    assert {po.buyer for po in purchase_orders.values()} == {users["buyer"]}
    server, storage = purchase_orders["S-100"], purchase_orders["S-200"]
    for purchase_order in (server, storage):
        purchase_order_submit(actor=users["buyer"], purchase_order=purchase_order)
    server = purchase_order_approve(actor=users["buyer"], purchase_order=server)
    assert server.status == POStatus.OPEN
    with pytest.raises(PermissionRefused, match=r"above US1's approval limit of 100,000\.00"):
        purchase_order_approve(actor=users["buyer"], purchase_order=storage)
    storage = purchase_order_approve(actor=users["admin"], purchase_order=storage)
    assert (storage.status, storage.approved_by) == (POStatus.OPEN, users["admin"])
