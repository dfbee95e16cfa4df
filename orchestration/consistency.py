"""The invariants that hold between the documents of the cycle, checked on live data.

Each check is one aggregate query and yields a message per violation; ``check_consistency``
runs them all (``manage.py check_consistency`` for operations, and the tests after every
generated sequence of changes).
"""

from collections.abc import Iterator
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import DecimalField, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from inventory.models import InventoryTransaction, OnHandBalance, Reservation, TransactionType
from invoicing.models import (
    APInvoice,
    APInvoiceLine,
    APStatus,
    ARCreditMemoLine,
    ARInvoiceLine,
    CreditDisposition,
)
from invoicing.totals import ap_invoice_totals
from orders.models import LineStatus, SalesOrderLine
from procurement.models import (
    POLineStatus,
    POStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    SupplyOrder,
    SupplyStatus,
)
from procurement.totals import purchase_order_totals
from receiving.models import Receipt, ReceiptLine
from receiving.totals import receipt_totals
from shipping.models import ShipmentLine, ShipmentStatus

ZERO = Value(0, output_field=DecimalField(max_digits=14, decimal_places=3))
HALF_CENT = Value(Decimal("0.005"), output_field=DecimalField(max_digits=14, decimal_places=3))


def _total(queryset, field: str, outer: str):
    """A correlated SUM of ``field`` over ``queryset`` rows matching the outer row."""
    summed = (
        queryset.filter(**{outer: OuterRef("pk")})
        .order_by()
        .values(outer)
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(summed), ZERO)


def live_po_lines_pegged_to_cancelled_lines() -> Iterator[str]:
    for po_line in PurchaseOrderLine.objects.exclude(status=POLineStatus.CANCELLED).filter(
        sales_order_line__status=LineStatus.CANCELLED
    ):
        yield f"{po_line} is live but pegged to cancelled {po_line.sales_order_line}."


def sales_line_quantities() -> Iterator[str]:
    lines = SalesOrderLine.objects.annotate(
        held=_total(Reservation.objects.all(), "quantity", "sales_order_line"),
        received=_total(ReceiptLine.objects.all(), "reserved_quantity", "sales_order_line"),
        shipped=_total(
            ShipmentLine.objects.filter(status=ShipmentStatus.SHIPPED),
            "quantity",
            "sales_order_line",
        ),
        # Billed: live AR lines, less what credit memos gave back to bill again.
        billed=_total(
            ARInvoiceLine.objects.filter(is_cancelled=False), "quantity", "sales_order_line"
        )
        - _total(
            ARCreditMemoLine.objects.filter(disposition=CreditDisposition.REINVOICE),
            "quantity",
            "invoice_line__sales_order_line",
        ),
    ).filter(
        ~Q(held=F("reserved_quantity"))
        | ~Q(shipped=F("shipped_quantity"))
        | ~Q(billed=F("invoiced_quantity"))
        | Q(invoiced_quantity__gt=F("shipped_quantity"))
        # A Back-to-Back line holds and ships only what arrived for it. The rest a partial
        # ship confirm split off holds what arrived for the line it came from (it has no
        # receipt of its own): its stock is checked by on_hand_balances.
        | Q(
            Q(reserved_quantity__gt=F("received") - F("shipped_quantity"))
            | Q(shipped_quantity__gt=F("received")),
            Q(split_from__isnull=True) | Q(received__gt=0),
            item__stocked=False,
        )
    )
    for line in lines:
        yield (
            f"{line}: reserved {line.reserved_quantity} (reservations {line.held}), shipped "
            f"{line.shipped_quantity} (shipments {line.shipped}), invoiced "
            f"{line.invoiced_quantity} (AR lines {line.billed}), received for it {line.received}."
        )


def purchase_line_quantities() -> Iterator[str]:
    lines = PurchaseOrderLine.objects.annotate(
        receipts=_total(ReceiptLine.objects.all(), "quantity", "purchase_order_line"),
        billed_on_invoices=_total(
            APInvoiceLine.objects.filter(invoice__status__in=[APStatus.VALIDATED, APStatus.PAID]),
            "quantity",
            "purchase_order_line",
        ),
    ).filter(
        ~Q(receipts=F("received_quantity"))
        | ~Q(billed_on_invoices=F("billed_quantity"))
        | Q(billed_quantity__gt=F("received_quantity"))
    )
    for line in lines:
        yield (
            f"{line}: received {line.received_quantity} (receipts {line.receipts}), billed "
            f"{line.billed_quantity} (validated AP lines {line.billed_on_invoices})."
        )


def on_hand_balances() -> Iterator[str]:
    balances = OnHandBalance.objects.annotate(
        moved=Coalesce(
            Subquery(
                InventoryTransaction.objects.filter(
                    item=OuterRef("item"), warehouse=OuterRef("warehouse")
                )
                .order_by()
                .values("item")
                .annotate(total=Sum("quantity"))
                .values("total")
            ),
            ZERO,
        ),
        held=Coalesce(
            Subquery(
                Reservation.objects.filter(item=OuterRef("item"), warehouse=OuterRef("warehouse"))
                .order_by()
                .values("item")
                .annotate(total=Sum("quantity"))
                .values("total")
            ),
            ZERO,
        ),
    ).filter(~Q(moved=F("quantity")) | ~Q(held=F("reserved_quantity")))
    for balance in balances.select_related("item", "warehouse"):
        yield (
            f"{balance}: on-hand {balance.quantity} but transactions add up to {balance.moved}; "
            f"reserved {balance.reserved_quantity} but reservations add up to {balance.held}."
        )


def _live_lines(status=None):
    """A correlated EXISTS over the PO's live lines (of ``status``, when given)."""
    lines = PurchaseOrderLine.objects.filter(purchase_order=OuterRef("pk")).exclude(
        status=POLineStatus.CANCELLED
    )
    return Exists(lines if status is None else lines.filter(status=status))


def purchase_order_headers() -> Iterator[str]:
    """A PO header agrees with its lines (procurement's ``purchase_order_follow_lines``):
    cancelled exactly when no line is live; no longer open once no line is open; closed
    exactly when every live line is closed; not closed for receiving with a line open."""
    headers = PurchaseOrder.objects.annotate(
        any_line=Exists(PurchaseOrderLine.objects.filter(purchase_order=OuterRef("pk"))),
        any_live=_live_lines(),
        any_open=_live_lines(POLineStatus.OPEN),
        any_unclosed=Exists(
            PurchaseOrderLine.objects.filter(purchase_order=OuterRef("pk")).exclude(
                status__in=[POLineStatus.CANCELLED, POLineStatus.CLOSED]
            )
        ),
    ).filter(
        Q(status=POStatus.CANCELLED, any_live=True)
        | (~Q(status=POStatus.CANCELLED) & Q(any_line=True, any_live=False))
        | Q(status=POStatus.OPEN, any_live=True, any_open=False)
        | Q(status=POStatus.CLOSED_FOR_RECEIVING, any_open=True)
        | Q(status=POStatus.CLOSED_FOR_RECEIVING, any_live=True, any_unclosed=False)
        | Q(status=POStatus.CLOSED, any_unclosed=True)
    )
    for header in headers:
        yield f"{header} is {header.get_status_display()} but its lines say otherwise."


def cancelled_supply_with_live_po_lines() -> Iterator[str]:
    """A cancelled supply order, or one waiting for the buyer after its PO line was
    cancelled, has no live PO line pegged to its sales order line."""
    supply_orders = SupplyOrder.objects.filter(
        Q(status=SupplyStatus.CANCELLED) | Q(awaits_buyer=True),
        Exists(
            PurchaseOrderLine.objects.filter(
                sales_order_line=OuterRef("sales_order_line"),
                requisition_line__supply_order=OuterRef("pk"),
            ).exclude(status=POLineStatus.CANCELLED)
        ),
    )
    for supply in supply_orders:
        yield f"{supply} is {supply.get_status_display()} but a live PO line still supplies it."


def unsent_po_lines_agree_with_their_supply() -> Iterator[str]:
    """A live, pegged PO line the supplier does not hold yet (Draft or Pending Approval)
    buys what its requisition line and supply order ask: the same quantity (a Draft PO line
    edit moves them together, procurement.services.editing)."""
    lines = (
        PurchaseOrderLine.objects.filter(
            purchase_order__status__in=[POStatus.DRAFT, POStatus.PENDING_APPROVAL],
            sales_order_line__isnull=False,
        )
        .exclude(status=POLineStatus.CANCELLED)
        .filter(
            ~Q(quantity=F("requisition_line__quantity"))
            | ~Q(quantity=F("requisition_line__supply_order__quantity"))
        )
        .select_related("purchase_order", "requisition_line__supply_order")
    )
    for line in lines:
        requisition_line = line.requisition_line
        yield (
            f"{line} orders {line.quantity}, but its requisition line asks "
            f"{requisition_line.quantity} and {requisition_line.supply_order} "
            f"{requisition_line.supply_order.quantity}."
        )


def reversed_shipments_restored() -> Iterator[str]:
    """A reversed shipment left no stock or reservation behind: what came back for a line
    is what its reversed shipment lines had shipped, what left for it (issues less returns)
    is what it has shipped, and a line back to Awaiting Shipping holds all it awaits."""
    moved = InventoryTransaction.objects.filter(
        transaction_type__in=[TransactionType.SALES_ISSUE, TransactionType.SHIPMENT_REVERSAL]
    )
    lines = (
        SalesOrderLine.objects.annotate(
            returned=_total(
                moved.filter(transaction_type=TransactionType.SHIPMENT_REVERSAL),
                "quantity",
                "sales_order_line",
            ),
            reversed=_total(
                ShipmentLine.objects.filter(status=ShipmentStatus.REVERSED),
                "quantity",
                "sales_order_line",
            ),
            issued=_total(moved, "quantity", "sales_order_line"),
        )
        .annotate(left_behind=F("issued") + F("shipped_quantity"))
        .filter(
            ~Q(returned=F("reversed"))
            | ~Q(left_behind=0)
            | Q(
                status=LineStatus.AWAITING_SHIPPING,
                reversed__gt=0,
                reserved_quantity__lt=F("quantity") - F("shipped_quantity"),
            )
        )
    )
    for line in lines:
        yield (
            f"{line}: reversed shipments took back {line.returned} of the {line.reversed} they "
            f"shipped; issued {-line.issued} net for {line.shipped_quantity} shipped; reserved "
            f"{line.reserved_quantity} of {line.quantity - line.shipped_quantity} awaited."
        )


def credits_within_invoiced() -> Iterator[str]:
    """A credit memo never credits more quantity or money than its invoice line billed,
    nor credits a line of a cancelled invoice."""
    lines = (
        ARInvoiceLine.objects.annotate(
            credited=_total(ARCreditMemoLine.objects.all(), "quantity", "invoice_line"),
            credited_amount=_total(ARCreditMemoLine.objects.all(), "amount", "invoice_line"),
        )
        .filter(
            Q(credited__gt=F("quantity"))
            # The line's amount is rounded to the cent: half a cent of slack.
            | Q(credited_amount__gt=F("quantity") * F("unit_price") + HALF_CENT)
            | Q(is_cancelled=True, credited_amount__gt=0)
        )
        .select_related("invoice")
    )
    for line in lines:
        yield (
            f"{line}: credited {line.credited} ({line.credited_amount}) of {line.quantity} "
            f"invoiced{' on a cancelled invoice' if line.is_cancelled else ''}."
        )


def shipment_lines_billed_as_flagged() -> Iterator[str]:
    """``ShipmentLine.is_billed`` says what the invoice lines say: a live first billing
    bills the line. AutoInvoice walks only unflagged lines, so a line flagged in error
    would never be billed."""
    first_billing = ARInvoiceLine.objects.filter(
        shipment_line=OuterRef("pk"), is_cancelled=False, reinvoice_of__isnull=True
    )
    lines = ShipmentLine.objects.annotate(billed=Exists(first_billing)).exclude(
        is_billed=F("billed")
    )
    for line in lines.select_related("shipment"):
        said = "billed" if line.is_billed else "not billed"
        yield f"{line.shipment} line {line.pk} is flagged {said}; its invoice lines say otherwise."


def _stored_totals_differ(documents, totals: dict) -> Iterator[str]:
    """The ``documents`` whose stored fields differ from ``totals`` (the expressions that
    recompute each from the lines, by field)."""
    recomputed = {f"{field}_of_lines": expression for field, expression in totals.items()}
    differs = reduce(or_, (~Q(**{field: F(f"{field}_of_lines")}) for field in totals))
    for document in documents.annotate(**recomputed).filter(differs):
        stored = ", ".join(f"{field} {getattr(document, field)}" for field in totals)
        of_lines = ", ".join(str(getattr(document, name)) for name in recomputed)
        yield f"{document} stores {stored}; its lines add up to {of_lines}."


def purchase_order_totals_stored() -> Iterator[str]:
    """A PO's stored totals are its live lines' (``procurement.totals``): a service that
    wrote PO lines and forgot to retotal shows here."""
    return _stored_totals_differ(PurchaseOrder.objects.all(), purchase_order_totals())


def ap_invoice_totals_stored() -> Iterator[str]:
    """An AP invoice's stored total is its lines' (``invoicing.totals``)."""
    return _stored_totals_differ(APInvoice.objects.all(), ap_invoice_totals())


def receipt_totals_stored() -> Iterator[str]:
    """A receipt's stored totals are its lines' (``receiving.totals``)."""
    return _stored_totals_differ(Receipt.objects.all(), receipt_totals())


CHECKS = [
    live_po_lines_pegged_to_cancelled_lines,
    purchase_order_headers,
    cancelled_supply_with_live_po_lines,
    unsent_po_lines_agree_with_their_supply,
    sales_line_quantities,
    purchase_line_quantities,
    on_hand_balances,
    reversed_shipments_restored,
    credits_within_invoiced,
    shipment_lines_billed_as_flagged,
    purchase_order_totals_stored,
    ap_invoice_totals_stored,
    receipt_totals_stored,
]


def check_consistency() -> list[str]:
    """Every violation of every invariant, as messages; empty when all hold."""
    return [message for check in CHECKS for message in check()]
