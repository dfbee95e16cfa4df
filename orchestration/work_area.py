"""The Exceptions work area: every open exception in the user's business units.

Four sources, one query each: exceptions raised by changes (``BusinessException``),
supply orders in Exception (no usable sourcing rule), open AP invoice holds, and pegged
PO lines past their promised date. Each entry names its owner role, its age and the
actions that resolve it; the source document's own action records who and why.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from catalog.units import scope_to_units
from invoicing.models import APInvoiceHold
from procurement.models import POLineStatus, PurchaseOrderLine, SupplyOrder, SupplyStatus

from .models import BusinessException, ExceptionKind, ExceptionStatus

BUYER, AP_ACCOUNTANT = "Buyer", "AP Accountant"
LATE_SUPPLY = "Late supply"
SUPPLY_CANCELLED = "Supply cancelled"


@dataclass
class Entry:
    kind: str
    owner_role: str
    opened_at: datetime
    message: str
    document: object
    sales_order_line: object = None
    purchase_order_line: object = None
    actions: list[str] = field(default_factory=list)
    ap_hold: object = None  # an AP hold's entry: the hold its actions resolve

    @property
    def age(self):
        return timezone.now() - self.opened_at


def open_exceptions(user) -> list[Entry]:
    """Every open exception the user may see, oldest first."""
    entries = [
        *_stored_exceptions(user),
        *_unsourced_supply_orders(user),
        *_open_ap_holds(user),
        *_late_po_lines(user),
    ]
    return sorted(entries, key=lambda entry: entry.opened_at)


def _stored_exceptions(user) -> list[Entry]:
    """Decisions a change left to a person (``BusinessException``)."""
    exceptions = scope_to_units(
        BusinessException.objects.filter(status=ExceptionStatus.OPEN),
        user,
        "business_unit",
    ).select_related("sales_order_line__order", "purchase_order_line__purchase_order")
    return [
        Entry(
            kind=exception.get_kind_display(),
            owner_role=exception.owner_role,
            opened_at=exception.created_at,
            message=exception.message,
            document=exception,
            sales_order_line=exception.sales_order_line,
            purchase_order_line=exception.purchase_order_line,
            actions=(
                ["cancel_with_supplier", "keep_as_stock"]
                if exception.kind == ExceptionKind.SUPPLIER_CANCELLATION
                else ["acknowledge"]
            ),
        )
        for exception in exceptions
    ]


def _unsourced_supply_orders(user) -> list[Entry]:
    """Supply orders in Exception: no usable sourcing rule for the item, or their PO line
    or requisition line was cancelled and the buyer re-sources them or cancels the demand
    (``awaits_buyer``)."""
    supply_orders = scope_to_units(
        SupplyOrder.objects.filter(status=SupplyStatus.EXCEPTION), user, "business_unit"
    ).select_related("sales_order_line__order")
    return [
        Entry(
            kind=SUPPLY_CANCELLED if supply_order.awaits_buyer else "No usable sourcing rule",
            owner_role=BUYER,
            opened_at=supply_order.updated_at,
            message=supply_order.exception_reason,
            document=supply_order,
            sales_order_line=supply_order.sales_order_line,
            actions=["resource", "cancel_demand"] if supply_order.awaits_buyer else ["cancel_line"],
        )
        for supply_order in supply_orders
    ]


def _open_ap_holds(user) -> list[Entry]:
    """AP invoice holds not released yet."""
    holds = scope_to_units(
        APInvoiceHold.objects.filter(released_at__isnull=True), user, "invoice__business_unit"
    ).select_related("invoice")
    return [
        Entry(
            kind=f"AP hold: {hold.get_reason_display()}",
            owner_role=AP_ACCOUNTANT,
            opened_at=hold.created_at,
            message=hold.message,
            document=hold.invoice,
            actions=_hold_actions(hold),
            ap_hold=hold,
        )
        for hold in holds
    ]


def _hold_actions(hold) -> list[str]:
    """No hold without a way out: a quantity hold clears only by receipt, which may never
    come, so it is adjusted to what was received; any held invoice may be cancelled."""
    if hold.can_be_released_by_hand():
        return ["release_hold", "cancel_invoice"]
    return ["adjust_to_received", "cancel_invoice"]


def _late_po_lines(user) -> list[Entry]:
    """Pegged PO lines past their promised date (flagged by the Late Supply process)."""
    po_lines = scope_to_units(
        PurchaseOrderLine.objects.filter(
            status=POLineStatus.OPEN, late_since__isnull=False, sales_order_line__isnull=False
        ),
        user,
        "purchase_order__business_unit",
    ).select_related("purchase_order", "sales_order_line__order")
    return [
        Entry(
            kind=LATE_SUPPLY,
            owner_role=BUYER,
            opened_at=timezone.make_aware(
                datetime.combine(po_line.late_since, datetime.min.time())
            ),
            message=(
                f"{po_line} was promised for {po_line.promised_date}; "
                f"{po_line.open_quantity} of {po_line.quantity} not received."
            ),
            document=po_line.purchase_order,
            sales_order_line=po_line.sales_order_line,
            purchase_order_line=po_line,
            actions=["close_short"] if po_line.received_quantity else [],
        )
        for po_line in po_lines
    ]
