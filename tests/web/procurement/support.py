"""Helpers of the buyer's and receiving agent's page tests: documents in volume."""

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


def purchase_orders_in_bulk(
    world, count: int, *, approve: bool = False, lines_per_po: int = 1
) -> list[PurchaseOrder]:
    """``count`` more draft POs of ``lines_per_po`` lines each (AutoCreate makes one PO a
    chunk), approved if asked; returns the POs it approved."""
    requisition_lines_in_bulk(world, count)
    purchase_orders_autocreate(actor=world.users["buyer"], batch_size=lines_per_po)
    if not approve:
        return []
    buyer = world.users["buyer"]
    approved = []
    for purchase_order in PurchaseOrder.objects.filter(status=POStatus.DRAFT):
        purchase_order = purchase_order_submit(actor=buyer, purchase_order=purchase_order)
        approved.append(purchase_order_approve(actor=buyer, purchase_order=purchase_order))
    return approved
