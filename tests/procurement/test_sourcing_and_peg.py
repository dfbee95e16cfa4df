"""Sourcing by rank and dates, exceptions that do not stop a run, and the peg
(acceptance 4: two suppliers give two POs, each line pegged to its own SO line)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from procurement.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    RequisitionLine,
    SourcingRule,
    SupplyOrder,
    SupplyStatus,
)
from procurement.services import (
    orders_progress,
    purchase_orders_autocreate,
    supply_orders_generate,
)
from tests.helpers import place_order

pytestmark = pytest.mark.django_db


def generate_for(world, *lines):
    order = place_order(world, *lines)
    orders_progress(actor=world.users["manager"], sales_order=order)
    result = supply_orders_generate(actor=world.users["buyer"])
    return order, result


def test_lowest_rank_effective_on_the_order_date_wins(world):
    today = world.items["SRV-DL380-G11"].created_at.date()
    rank_one = SourcingRule.objects.get(item__number="SRV-DL380-G11", rank=1)
    rank_one.effective_to = today - timedelta(days=1)  # expired before the order
    rank_one.save()
    SourcingRule.objects.create(  # rank 0 only from next month: not yet effective
        item=rank_one.item,
        supplier=world.suppliers["S-200"],
        supplier_site=world.suppliers["S-200"].sites.get(),
        rank=0,
        effective_from=today + timedelta(days=30),
        unit_cost=Decimal("1.00"),
    )
    order, _ = generate_for(world, ("SRV-DL380-G11", "1"))
    requisition_line = RequisitionLine.objects.get(sales_order_line__order=order)
    assert requisition_line.supplier.number == "S-300"
    assert requisition_line.unit_price == Decimal("41250.00")


def test_inactive_supplier_is_passed_over(world):
    supplier = world.suppliers["S-100"]
    supplier.active = False
    supplier.save()
    order, _ = generate_for(world, ("SRV-DL380-G11", "1"))
    assert RequisitionLine.objects.get(sales_order_line__order=order).supplier.number == "S-300"


def test_line_without_rule_goes_to_exception_and_the_others_go_on(world):
    SourcingRule.objects.filter(item__number="SRV-R760-XA").delete()
    _order, result = generate_for(world, ("SRV-DL380-G11", "1"), ("SRV-R760-XA", "1"))
    assert (result.examined, result.created) == (2, 1)
    [failure] = result.failures
    assert "No sourcing rule for item SRV-R760-XA is effective" in failure.reason
    failed = SupplyOrder.objects.get(item__number="SRV-R760-XA")
    assert failed.status == SupplyStatus.EXCEPTION
    assert "No sourcing rule" in failed.exception_reason
    assert (
        SupplyOrder.objects.get(item__number="SRV-DL380-G11").status == SupplyStatus.REQUISITIONED
    )

    # Once a rule exists, the next run requisitions the exception.
    SourcingRule.objects.create(
        item=failed.item,
        supplier=world.suppliers["S-300"],
        supplier_site=world.suppliers["S-300"].sites.get(),
        effective_from=failed.order_date,
        unit_cost=Decimal("80000.00"),
    )
    result = supply_orders_generate(actor=world.users["buyer"])
    assert (result.examined, result.created, result.failures) == (1, 1, [])
    failed.refresh_from_db()
    assert (failed.status, failed.exception_reason) == (SupplyStatus.REQUISITIONED, "")


def test_two_suppliers_give_two_pos_each_line_pegged_to_its_own(world):
    order, _ = generate_for(world, ("SRV-DL380-G11", "1"), ("STO-A400-96T", "2"))
    result = purchase_orders_autocreate(actor=world.users["buyer"])
    assert (result.examined, result.created) == (2, 2)
    assert PurchaseOrder.objects.count() == 2
    server, storage = order.lines.order_by("line_number")
    server_po_line = PurchaseOrderLine.objects.get(sales_order_line=server)
    storage_po_line = PurchaseOrderLine.objects.get(sales_order_line=storage)
    assert server_po_line.purchase_order.supplier.number == "S-100"
    assert storage_po_line.purchase_order.supplier.number == "S-200"
    assert storage_po_line.quantity == Decimal("2")
    assert server_po_line.purchase_order != storage_po_line.purchase_order


def test_autocreate_leaves_lines_whose_rule_forbids_it_to_the_buyer(world):
    _order, _ = generate_for(world, ("STO-X70-R4", "1"))
    result = purchase_orders_autocreate(actor=world.users["buyer"])
    assert result.examined == 0
    assert PurchaseOrder.objects.count() == 0


def test_processes_run_twice_make_nothing_twice(world):
    generate_for(world, ("SRV-DL380-G11", "1"), ("STO-A400-96T", "1"))
    purchase_orders_autocreate(actor=world.users["buyer"])
    again = [
        orders_progress(actor=world.users["manager"]),
        supply_orders_generate(actor=world.users["buyer"]),
        purchase_orders_autocreate(actor=world.users["buyer"]),
    ]
    assert [result.examined for result in again] == [0, 0, 0]
    assert (SupplyOrder.objects.count(), RequisitionLine.objects.count()) == (2, 2)
    assert PurchaseOrderLine.objects.count() == 2


def test_database_allows_one_live_po_line_per_sales_order_line(world):
    generate_for(world, ("SRV-DL380-G11", "1"))
    purchase_orders_autocreate(actor=world.users["buyer"])
    po_line = PurchaseOrderLine.objects.get()
    duplicate = PurchaseOrderLine(
        purchase_order=po_line.purchase_order,
        line_number=2,
        requisition_line=po_line.requisition_line,
        sales_order_line=po_line.sales_order_line,
        item=po_line.item,
        quantity=1,
        unit_price=1,
        promised_date=po_line.promised_date,
    )
    with pytest.raises(IntegrityError, match="one_live_po_line_per_so_line"), transaction.atomic():
        duplicate.save()


def test_one_run_sources_a_line_and_flags_the_unsourceable_with_their_reason(world):
    """A chunk of three: the first has a rule, the second only a rule whose supplier site is
    inactive, the third an item no longer purchasable. The first gets its rule's requisition
    line, the others go to Exception with their reason and are the run's failed lines; each
    write has the buyer and the run in its history."""
    buyer = world.users["buyer"]
    order = place_order(world, ("SRV-DL380-G11", "2"), ("SRV-R760-XA", "1"), ("STO-A400-96T", "1"))
    orders_progress(actor=world.users["manager"], sales_order=order)
    world.suppliers["S-300"].sites.update(active=False)
    world.items["STO-A400-96T"].purchasable = False
    world.items["STO-A400-96T"].save()
    result = supply_orders_generate(actor=buyer)

    server, inactive, unpurchasable = SupplyOrder.objects.filter(
        sales_order_line__order=order
    ).order_by("pk")
    assert (result.examined, result.created) == (3, 1)
    every_inactive = "Every supplier of the sourcing rules for item SRV-R760-XA is inactive."
    not_purchasable = "Item STO-A400-96T is no longer purchased and purchasable."
    assert [(f.source_id, f.reason) for f in result.failures] == [
        (inactive.pk, every_inactive),
        (unpurchasable.pk, not_purchasable),
    ]
    assert [(so.status, so.exception_reason) for so in (server, inactive, unpurchasable)] == [
        (SupplyStatus.REQUISITIONED, ""),
        (SupplyStatus.EXCEPTION, every_inactive),
        (SupplyStatus.EXCEPTION, not_purchasable),
    ]
    line = RequisitionLine.objects.get(supply_order=server)
    rule = SourcingRule.objects.get(item__number="SRV-DL380-G11", rank=1)
    assert (
        line.sourcing_rule,
        line.supplier_id,
        line.supplier_site_id,
        line.unit_price,
        line.currency_code,
    ) == (rule, rule.supplier_id, rule.supplier_site_id, rule.unit_cost, rule.currency_code)
    assert (
        line.sales_order_line_id,
        line.item_id,
        line.quantity,
        line.need_by_date,
        line.deliver_to_warehouse_id,
    ) == (
        server.sales_order_line_id,
        server.item_id,
        server.quantity,
        server.need_by_date,
        server.warehouse_id,
    )
    assert (line.requisition.business_unit_id, line.requisition.preparer) == (
        server.business_unit_id,
        buyer,
    )
    assert [
        (row.history_type, row.history_user, row.history_change_reason)
        for row in line.history.all()
    ] == [("+", buyer, "Generate Supply Orders")]
    moved = [
        (row.status, row.history_user, row.history_change_reason)
        for so in (server, inactive)
        for row in so.history.filter(history_user=buyer).order_by("history_id")
    ]
    assert moved == [
        (SupplyStatus.REQUISITIONED, buyer, "Generate Supply Orders"),
        (SupplyStatus.EXCEPTION, buyer, "Generate Supply Orders: exception"),
    ]
