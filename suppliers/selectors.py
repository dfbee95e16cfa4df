"""What a supplier user may read, and a PO line's expected date: shared by the supplier
pages, the API, the buyer's PO page and the receiving pages."""

from datetime import date

from django.db.models import Prefetch, QuerySet, Sum

from b2b_portal.fields import ZERO
from procurement.models import POStatus, PurchaseOrder, PurchaseOrderLine

from .models import (
    LineAcknowledgement,
    ShipNotice,
    ShipNoticeLine,
    ShipNoticeStatus,
    SupplierContact,
)


def supplier_of(user):
    """The supplier ``user`` works for, or None (every user but a supplier's)."""
    contact = SupplierContact.objects.filter(user_id=user.pk).select_related("supplier").first()
    return contact.supplier if contact else None


def purchase_orders_of(user, model=PurchaseOrder) -> QuerySet[PurchaseOrder]:
    """The POs a supplier user sees: their supplier's, once approved (the supplier holds
    them from then on), in every business unit; an administrator sees every supplier's,
    as they work in every unit. Nothing for any other user. ``model`` may be
    ``SupplierPurchaseOrder``, the same rows with the supplier portal's pages."""
    approved = model.objects.filter(approved_at__isnull=False)
    if user.is_superuser:
        return approved
    return approved.filter(supplier__contacts__user_id=user.pk)


def ship_notices_on_the_way() -> QuerySet[ShipNotice]:
    """Ship notices not received yet on POs still open for receiving: what Receive Expected
    Shipments lists (and the API's ``GET /api/ship-notices/``), before unit scoping."""
    return ShipNotice.objects.filter(
        status=ShipNoticeStatus.SHIPPED, purchase_order__status=POStatus.OPEN
    )


def in_transit(po_lines) -> dict[int, object]:
    """Per PO line pk, the quantity on ship notices not received yet."""
    rows = (
        ShipNoticeLine.objects.filter(
            purchase_order_line__in=po_lines, ship_notice__status=ShipNoticeStatus.SHIPPED
        )
        .values("purchase_order_line_id")
        .annotate(quantity=Sum("quantity"))
    )
    return {row["purchase_order_line_id"]: row["quantity"] for row in rows}


def expected_dates(po_lines: list[PurchaseOrderLine]) -> dict[int, date]:
    """Per PO line pk, when its supply is expected: the latest arrival of its ship notices
    still on the way, else the promised date (docs/supplier-collaboration.md)."""
    expected = {po_line.pk: po_line.promised_date for po_line in po_lines}
    shipped = ShipNoticeLine.objects.filter(
        purchase_order_line__in=po_lines, ship_notice__status=ShipNoticeStatus.SHIPPED
    ).values_list("purchase_order_line_id", "ship_notice__expected_arrival")
    arrivals: dict[int, date] = {}
    for pk, arrival in shipped:
        arrivals[pk] = max(arrival, arrivals.get(pk, arrival))
    return {**expected, **arrivals}


def lines_for_supplier(po_lines: list[PurchaseOrderLine]) -> list[PurchaseOrderLine]:
    """The lines as the supplier's page and the API show them, each with its
    ``expected_date``, ``in_transit`` quantity and ``last_acknowledgement`` (or None): two
    queries for any number of lines (their ``acknowledgements`` prefetched, newest first)."""
    expected, on_the_way = expected_dates(po_lines), in_transit(po_lines)
    for line in po_lines:
        line.expected_date = expected[line.pk]
        line.in_transit = on_the_way.get(line.pk, ZERO)
        line.last_acknowledgement = next(iter(line.acknowledgements.all()), None)
    return po_lines


def with_acknowledgements(lines: QuerySet[PurchaseOrderLine]) -> QuerySet[PurchaseOrderLine]:
    newest_first = LineAcknowledgement.objects.select_related("acknowledged_by").order_by("-pk")
    return lines.select_related("item").prefetch_related(
        Prefetch("acknowledgements", queryset=newest_first)
    )
