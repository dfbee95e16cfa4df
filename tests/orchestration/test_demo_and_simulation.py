"""The demo data loader and the cycle simulator."""

import json
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from b2b_portal.roles import ROLES
from catalog.models import Item
from orchestration.consistency import check_consistency
from orders.models import LineStatus, SalesOrderLine
from procurement.models import PurchaseOrderLine, SourcingRule

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
