"""Purchase orders: made by AutoCreate or the buyer's Document Builder from approved
requisition lines, then submitted, approved or rejected, and following their lines."""

from collections import defaultdict

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from b2b_portal.bulk_writes import bulk_create_with_history, bulk_save_with_history, insert_selected
from b2b_portal.errors import PermissionRefused, ValidationRefused, require_reason
from b2b_portal.permissions import require_permission
from b2b_portal.queries import DaysAfter, any_of
from b2b_portal.transitions import apply_transition, bulk_apply_transition
from catalog.models import BusinessUnit
from catalog.units import require_business_unit
from processes.batching import ProcessResult, filter_by, process_in_chunks

from ..locks import (
    purchase_orders_for_update,
    requisition_lines_for_update,
    supply_orders_for_update,
)
from ..models import (
    POLineStatus,
    POStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    RequisitionLine,
    RequisitionStatus,
)
from ..selectors import (
    PO_GROUPING_FIELDS,
    PO_GROUPING_RELATED,
    po_grouping_key,
    po_grouping_prefetch,
)
from ..totals import purchase_orders_retotal
from .jeopardy import JEOPARDY_PO_FIELDS, jeopardy_reassess
from .supply_orders import DEFAULT_BATCH_SIZE

# What ``_create_purchase_orders`` reads of a requisition line itself, for AutoCreate to
# read no more: whole rows joined to four tables were most of its time, parsing values it
# never used. A field missing here is read again row by row.
PO_SOURCE_FIELDS = (*PO_GROUPING_FIELDS, "status", "supply_order")
# A PO line made from its requisition line, in the database; its PO and line number are
# Python's (the grouping), its promised date ``promised_date``'s.
PO_LINE_FROM_REQUISITION = {
    "requisition_line": F("pk"),
    "sales_order_line": F("sales_order_line"),
    "item": F("item"),
    "quantity": F("quantity"),
    "unit_price": F("unit_price"),
}

NO_LONGER_AWAITING_PO = "These requisition lines are no longer awaiting a PO: {names}."


def promised_date(today):
    """What a new PO line promises: its need-by date, or the rule's lead time from
    ``today`` when that is later (a query expression over the requisition line)."""
    return Greatest(F("need_by_date"), DaysAfter(Value(today), F("sourcing_rule__lead_time_days")))


def _create_purchase_orders(*, actor, requisition_lines: list[RequisitionLine], reason: str):
    """One draft PO per business unit, supplier, site, currency, ship-to warehouse and
    assigned buyer; one PO line per requisition line, pegged to its sales order line. The
    PO's buyer is the one master data assigns (item, else supplier); only where none is
    assigned is it whoever creates the PO. Returns the POs and their new lines (pk and
    ``JEOPARDY_PO_FIELDS``). The caller has locked the lines."""
    groups = defaultdict(list)
    for line in requisition_lines:
        groups[po_grouping_key(line)].append(line)
    headers = {
        key: PurchaseOrder(
            business_unit_id=key[0],
            supplier_id=key[1],
            supplier_site_id=key[2],
            currency_code=key[3],
            ship_to_warehouse_id=key[4],
            buyer_id=key[5] or actor.pk,
        )
        for key in groups
    }
    bulk_create_with_history(
        list(headers.values()), PurchaseOrder, default_user=actor, default_change_reason=reason
    )
    placed, numbered = {}, {}
    for key, lines in groups.items():
        for line_number, line in enumerate(lines, start=1):
            placed[line.pk], numbered[line.pk] = headers[key].pk, line_number
    # Each new line with what jeopardy reads of it, from the insert itself.
    po_lines = insert_selected(
        PurchaseOrderLine,
        RequisitionLine.objects.filter(pk__in=any_of(placed)),
        {**PO_LINE_FROM_REQUISITION, "promised_date": promised_date(timezone.localdate())},
        given={"purchase_order": placed, "line_number": numbered},
        returning=JEOPARDY_PO_FIELDS,
        actor=actor,
        reason=reason,
    )
    bulk_apply_transition(requisition_lines, "mark_ordered", actor=actor, reason=reason)
    # The SO lines learn when their supply is promised (after the requisition lines).
    jeopardy_reassess(po_lines, actor=actor, reason=reason)
    # Supply orders move to Ordered with their requisition lines; locked after them.
    # Only what the transition and its write read: a whole row is a dozen parsed values.
    supply_orders = list(
        supply_orders_for_update()
        .filter(pk__in=any_of(line.supply_order_id for line in requisition_lines))
        .only("status")
    )
    bulk_apply_transition(supply_orders, "mark_ordered", actor=actor, reason=reason)
    purchase_orders_retotal(header.pk for header in headers.values())
    return list(headers.values()), po_lines


def purchase_orders_autocreate(
    *,
    actor,
    business_unit=None,
    supplier=None,
    item=None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress=None,
) -> ProcessResult:
    """AutoCreate Purchase Orders: approved requisition lines whose sourcing rule allows
    it become draft POs grouped per supplier."""
    # The few rules, requisitions, items and suppliers of a chunk are read once each.
    lines = (
        RequisitionLine.objects.filter(
            status=RequisitionStatus.APPROVED, sourcing_rule__auto_create_po=True
        )
        .only(*PO_SOURCE_FIELDS)
        .prefetch_related(*po_grouping_prefetch())
    )
    lines = filter_by(lines, requisition__business_unit=business_unit, supplier=supplier, item=item)

    def handle(chunk: list[RequisitionLine]) -> ProcessResult:
        headers, _ = _create_purchase_orders(
            actor=actor, requisition_lines=chunk, reason="AutoCreate Purchase Orders"
        )
        return ProcessResult(examined=len(chunk), created=len(headers))

    return process_in_chunks(lines, handle, batch_size=batch_size, progress=progress)


@transaction.atomic
def purchase_orders_create_from_requisitions(
    *, actor, requisition_lines: list[RequisitionLine]
) -> list[PurchaseOrder]:
    """The buyer's Document Builder: the chosen requisition lines become draft POs, one
    per supplier."""
    require_permission(actor, "procurement.add_purchaseorder", "create purchase orders")
    if not requisition_lines:
        raise ValidationRefused("Select at least one requisition line.")
    # AutoCreate or another buyer may be ordering the same lines: the first one wins.
    locked = list(
        requisition_lines_for_update()
        .filter(pk__in=[line.pk for line in requisition_lines])
        .select_related(*PO_GROUPING_RELATED)
    )
    for unit_id in {line.requisition.business_unit_id for line in locked}:
        require_business_unit(actor, unit_id)
    already = [line for line in locked if line.status != RequisitionStatus.APPROVED]
    if already:
        names = ", ".join(str(line) for line in already)
        raise ValidationRefused(NO_LONGER_AWAITING_PO.format(names=names))
    headers, _ = _create_purchase_orders(
        actor=actor, requisition_lines=locked, reason="Document Builder"
    )
    return headers


# --- Purchase order approval ----------------------------------------------------------

ABOVE_APPROVAL_LIMIT = (
    "{po} totals {total} {currency}, above {unit}'s approval limit of {limit}: someone other "
    "than its buyer ({buyer}) must approve it."
)


def _require_approver_other_than_buyer(purchase_order: PurchaseOrder, actor) -> None:
    if actor.pk != purchase_order.buyer_id:
        return
    unit = BusinessUnit.objects.get(pk=purchase_order.business_unit_id)
    limit = unit.po_approval_limit
    total = purchase_order.total_amount
    if limit is not None and total > limit:
        raise PermissionRefused(
            ABOVE_APPROVAL_LIMIT.format(
                po=purchase_order,
                total=f"{total:,.2f}",
                currency=purchase_order.currency_code,
                unit=unit.code,
                limit=f"{limit:,.2f}",
                buyer=actor.get_username(),
            )
        )


def _locked_purchase_order(purchase_order: PurchaseOrder, actor) -> PurchaseOrder:
    require_business_unit(actor, purchase_order.business_unit_id)
    # The buyer and the approver may act on the same PO at once: the status is read locked.
    return purchase_orders_for_update().get(pk=purchase_order.pk)


@transaction.atomic
def purchase_order_submit(*, actor, purchase_order: PurchaseOrder) -> PurchaseOrder:
    """Send a draft PO for approval."""
    require_permission(actor, "procurement.change_purchaseorder", "submit purchase orders")
    purchase_order = _locked_purchase_order(purchase_order, actor)
    apply_transition(
        purchase_order,
        "submit",
        actor=actor,
        reason="submitted for approval",
        when=timezone.now(),
    )
    purchase_order.save()
    return purchase_order


@transaction.atomic
def purchase_order_approve(*, actor, purchase_order: PurchaseOrder) -> PurchaseOrder:
    """Approve a PO and communicate it to the supplier: it is now open for receiving.
    Above its business unit's approval limit, its own buyer may not approve it (segregation
    of duties); the approver is recorded either way."""
    require_permission(actor, "procurement.approve_purchaseorder", "approve purchase orders")
    purchase_order = _locked_purchase_order(purchase_order, actor)
    _require_approver_other_than_buyer(purchase_order, actor)
    apply_transition(
        purchase_order,
        "approve",
        actor=actor,
        reason="approved and sent to supplier",
        by=actor,
        when=timezone.now(),
    )
    purchase_order.save()
    return purchase_order


@transaction.atomic
def purchase_order_reject(*, actor, purchase_order: PurchaseOrder, reason: str) -> PurchaseOrder:
    """Return a PO to its buyer as a draft, saying why."""
    require_permission(actor, "procurement.approve_purchaseorder", "approve purchase orders")
    reason = require_reason(reason, "the purchase order is rejected")
    purchase_order = _locked_purchase_order(purchase_order, actor)
    apply_transition(
        purchase_order, "reject", actor=actor, reason=f"rejected: {reason}", reason_text=reason
    )
    purchase_order.save()
    return purchase_order


def purchase_order_follow_lines(*, actor, purchase_order: PurchaseOrder, reason: str) -> None:
    """``purchase_orders_follow_lines`` for one PO."""
    purchase_orders_follow_lines(actor=actor, purchase_orders=[purchase_order], reason=reason)


def purchase_orders_follow_lines(
    *, actor, purchase_orders: list[PurchaseOrder], reason: str
) -> None:
    """A PO follows its lines, in this one place for every path (a receipt, a cancellation,
    a close short, AP validation's batch): with no live line left it is cancelled; open
    with no line left to receive, it is closed for receiving; and once every live line is
    closed (received and billed), it is closed. Its stored totals follow too
    (``procurement.totals``). The caller holds the POs' locks and has saved the lines. One
    read of the lines' statuses, one write per outcome and one of the totals, whatever the
    number of POs."""
    statuses = defaultdict(set)
    live_lines = PurchaseOrderLine.objects.filter(purchase_order__in=purchase_orders).exclude(
        status=POLineStatus.CANCELLED
    )
    for purchase_order_id, status in live_lines.values_list("purchase_order_id", "status"):
        statuses[purchase_order_id].add(status)
    moved = defaultdict(list)
    now = timezone.now()
    for purchase_order in purchase_orders:
        why = _follow(purchase_order, statuses[purchase_order.pk], actor=actor, reason=reason)
        if why:
            purchase_order.updated_at = now
            moved[why].append(purchase_order)
    for why, followed in moved.items():
        bulk_save_with_history(followed, ["status", "updated_at"], actor=actor, reason=why)
    purchase_orders_retotal(purchase_order.pk for purchase_order in purchase_orders)


def _follow(purchase_order: PurchaseOrder, statuses: set, *, actor, reason: str) -> str:
    """Run in memory the transitions the live lines' ``statuses`` call for; the reason
    to record, empty when the PO stays as it is."""
    why = ""
    if not statuses and purchase_order.status != POStatus.CANCELLED:
        why = f"no live line left: {reason}"
        apply_transition(purchase_order, "cancel", actor=actor, reason=why)
    if purchase_order.status == POStatus.OPEN and statuses and POLineStatus.OPEN not in statuses:
        why = reason
        apply_transition(purchase_order, "close_for_receiving", actor=actor, reason=why)
    if purchase_order.status == POStatus.CLOSED_FOR_RECEIVING and statuses == {POLineStatus.CLOSED}:
        why = reason
        apply_transition(purchase_order, "close", actor=actor, reason=why)
    return why
