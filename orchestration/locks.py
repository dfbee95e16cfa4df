"""Locking a sales order line with the supply pegged to it, and the business exceptions.

The lock order is the cycle's (docs/architecture.md, "Locking order"): PO, PO lines,
requisition lines, SO lines, on-hand balances (in item order), then what belongs to one
SO line alone (its supply order, its reservation). Every lock takes only its own rows
(``of=("self",)``), in pk order.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from orders.locks import sales_order_lines_for_update
from orders.models import SalesOrderLine
from procurement.locks import (
    purchase_order_lines_for_update,
    purchase_orders_for_update,
    requisition_lines_for_update,
    supply_orders_for_update,
)
from procurement.models import (
    POLineStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    RequisitionLine,
    RequisitionStatus,
    SupplyOrder,
    SupplyStatus,
)

from .exceptions import SUPPLY_CHANGED_MEANWHILE, ChangedMeanwhile
from .models import BusinessException


def business_exceptions_for_update() -> QuerySet[BusinessException]:
    return BusinessException.objects.select_for_update(of=("self",)).order_by("pk")


@dataclass
class SupplyChain:
    """A sales order line and the supply pegged to it, locked in the cycle's order."""

    line: SalesOrderLine
    purchase_order: PurchaseOrder | None
    po_line: PurchaseOrderLine | None
    requisition_lines: list[RequisitionLine]


def _live_po_line(sales_order_line_id: int) -> tuple[int, int] | None:
    """(pk, purchase_order_id) of the live PO line pegged to the SO line, if any."""
    return (
        PurchaseOrderLine.objects.filter(sales_order_line_id=sales_order_line_id)
        .exclude(status=POLineStatus.CANCELLED)
        .values_list("pk", "purchase_order_id")
        .first()
    )


def supply_chain_lock(sales_order_line: SalesOrderLine) -> SupplyChain:
    """Lock the line's live PO and PO line, its live requisition lines and the line itself.

    The PO line is found by an unlocked read (the PO comes first in the lock order, before
    the SO line that names it); once every lock is held it is read again, and if the peg
    changed meanwhile (AutoCreate made a PO line, a cancellation unpegged it) the change is
    refused: locking the new PO now would take it out of order.
    """
    pegged = _live_po_line(sales_order_line.pk)
    purchase_order = po_line = None
    if pegged is not None:
        # Receipts, approvals and other changes of the PO queue behind this change.
        purchase_order = purchase_orders_for_update().get(pk=pegged[1])
        po_line = purchase_order_lines_for_update().get(pk=pegged[0])
    # Document Builder and AutoCreate lock these before ordering them: a PO line they make
    # is committed by the time this lock is granted, and the re-read below sees it.
    requisition_lines = list(
        requisition_lines_for_update()
        .filter(sales_order_line=sales_order_line)
        .exclude(status=RequisitionStatus.CANCELLED)
    )
    # Bookings, receipts, shipments and billing of the line queue behind this change.
    line = (
        sales_order_lines_for_update().select_related("order", "item").get(pk=sales_order_line.pk)
    )
    if _live_po_line(line.pk) != pegged:
        raise ChangedMeanwhile(SUPPLY_CHANGED_MEANWHILE.format(line=line))
    return SupplyChain(line, purchase_order, po_line, requisition_lines)


def supply_orders_of_line_lock(line: SalesOrderLine) -> list[SupplyOrder]:
    """The line's live supply orders; locked after its stock, as they belong to it alone."""
    return list(
        supply_orders_for_update()
        .filter(sales_order_line=line)
        .exclude(status=SupplyStatus.CANCELLED)
    )
