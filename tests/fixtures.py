"""Domain fixtures shared by every test folder (registered by ``tests/conftest.py``)."""

import pytest
from django.utils import timezone

from orchestration.demo import load_demo_data
from procurement.models import PurchaseOrderLine, RequisitionLine
from procurement.services import (
    orders_progress,
    purchase_order_approve,
    purchase_order_submit,
    purchase_orders_create_from_requisitions,
    supply_orders_generate,
)
from tests.helpers import place_order


@pytest.fixture
def world(db):
    """The demo world: business units, items, suppliers, rules and one user per role."""
    return load_demo_data()


@pytest.fixture
def users(world):
    return world.users


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def drive_to_po(world):
    """Book an order and carry it to a PO; ``approve`` says whether the PO is approved."""

    def drive(*lines, approve=True):
        users = world.users
        order = place_order(world, *lines)
        orders_progress(actor=users["manager"], sales_order=order)
        supply_orders_generate(actor=users["buyer"])
        requisition_lines = list(
            RequisitionLine.objects.filter(sales_order_line__order=order).order_by("pk")
        )
        purchase_orders = purchase_orders_create_from_requisitions(
            actor=users["buyer"], requisition_lines=requisition_lines
        )
        if approve:
            for purchase_order in purchase_orders:
                purchase_order_submit(actor=users["buyer"], purchase_order=purchase_order)
                purchase_order_approve(actor=users["buyer"], purchase_order=purchase_order)
        po_lines = list(
            PurchaseOrderLine.objects.filter(sales_order_line__order=order).order_by("pk")
        )
        return order, po_lines

    return drive
