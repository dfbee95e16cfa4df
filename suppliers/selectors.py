"""What a supplier user may read, and what ship notices have on the way: shared by the
supplier pages, the API, the buyer's PO page and the receiving pages. A PO line's expected
date is its stored field (``procurement.services.jeopardy.supply_expected_dates``)."""

from datetime import date
from decimal import Decimal

from django.db.models import F, Max, Prefetch, QuerySet, Sum

from b2b_portal.fields import ZERO
from procurement.models import POStatus, PurchaseOrder, PurchaseOrderLine
from procurement.services.jeopardy import supply_expected_dates

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


def on_the_way(po_lines) -> dict[int, tuple[Decimal, date]]:
    """Per PO line pk, what its ship notices still have on the way (Shipped, less what
    receipts brought of them) and the latest arrival among those; one query."""
    rows = (
        ShipNoticeLine.objects.filter(
            purchase_order_line__in=po_lines,
            ship_notice__status=ShipNoticeStatus.SHIPPED,
            quantity__gt=F("received_quantity"),
        )
        .values("purchase_order_line_id")
        .annotate(
            quantity=Sum(F("quantity") - F("received_quantity")),
            arrival=Max("ship_notice__expected_arrival"),
        )
    )
    return {row["purchase_order_line_id"]: (row["quantity"], row["arrival"]) for row in rows}


def in_transit(po_lines) -> dict[int, Decimal]:
    """Per PO line pk, the quantity on its ship notices not received yet."""
    return {pk: quantity for pk, (quantity, _arrival) in on_the_way(po_lines).items()}


def lines_for_supplier(po_lines: list[PurchaseOrderLine]) -> list[PurchaseOrderLine]:
    """The lines as the supplier's page and the API show them, each with ``expected`` (the
    stored expected date, else the promise: ``supply_expected_dates``), ``in_transit``
    quantity and ``last_acknowledgement`` (or None): one query for any number of lines
    (their ``acknowledgements`` prefetched, newest first)."""
    expected, transit = supply_expected_dates(po_lines), in_transit(po_lines)
    for line in po_lines:
        line.expected = expected[line.pk]
        line.in_transit = transit.get(line.pk, ZERO)
        line.last_acknowledgement = next(iter(line.acknowledgements.all()), None)
    return po_lines


def with_acknowledgements(lines: QuerySet[PurchaseOrderLine]) -> QuerySet[PurchaseOrderLine]:
    newest_first = LineAcknowledgement.objects.select_related("acknowledged_by").order_by("-pk")
    return lines.select_related("item").prefetch_related(
        Prefetch("acknowledgements", queryset=newest_first)
    )
