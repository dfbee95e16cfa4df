"""Writes on the supply side: Progress Order, Generate Supply Orders, AutoCreate and the
buyer's purchase order actions.

The batch processes work through ``processes.batching.process_in_chunks`` (locked chunks,
each its own transaction) and write rows and their history in bulk: no query per line.
"""

from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from b2b_portal.errors import ValidationRefused, require_reason
from b2b_portal.permissions import require_business_unit, require_permission
from b2b_portal.transitions import apply_transition, bulk_apply_transition, bulk_save_with_history
from inventory.services import stocked_lines_reserve
from orders.models import LineStatus, SalesOrderLine
from orders.selectors import order_lines_filtered
from processes.batching import ProcessResult, filter_by, process_in_chunks

from .exceptions import NoSourcingRule
from .models import (
    POLineStatus,
    POStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    Requisition,
    RequisitionLine,
    RequisitionStatus,
    SupplyOrder,
    SupplyStatus,
)
from .selectors import effective_on, po_grouping_key, sourcing_rules_by_item

DEFAULT_BATCH_SIZE = 500


# --- Progress Order -------------------------------------------------------------------


def orders_progress(
    *,
    actor,
    business_unit=None,
    sales_order=None,
    date_from=None,
    date_to=None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress=None,
) -> ProcessResult:
    """Progress Order: every booked Back-to-Back line gets a supply order and moves to
    Awaiting Supply; booked and backordered stocked lines take what on-hand allows
    (``inventory.services.stocked_lines_reserve``). The dates bound the order date."""
    filters = {
        "business_unit": business_unit,
        "sales_order": sales_order,
        "date_from": date_from,
        "date_to": date_to,
    }
    lines = order_lines_filtered(
        SalesOrderLine.objects.filter(status=LineStatus.BOOKED, item__back_to_back_enabled=True),
        **filters,
    ).select_related("order")

    def handle(chunk: list[SalesOrderLine]) -> ProcessResult:
        supply_orders = [
            SupplyOrder(
                business_unit_id=line.order.business_unit_id,
                sales_order_line=line,
                item_id=line.item_id,
                warehouse_id=line.order.warehouse_id,
                quantity=line.quantity,
                order_date=line.order.ordered_date,
                need_by_date=line.requested_date,
            )
            for line in chunk
        ]
        bulk_create_with_history(
            supply_orders, SupplyOrder, default_user=actor, default_change_reason="Progress Order"
        )
        bulk_apply_transition(chunk, "await_supply", actor=actor, reason="Progress Order")
        return ProcessResult(examined=len(chunk), created=len(supply_orders))

    result = process_in_chunks(lines, handle, batch_size=batch_size, progress=progress)
    result.add(
        stocked_lines_reserve(actor=actor, batch_size=batch_size, progress=progress, **filters)
    )
    return result


# --- Generate Supply Orders -----------------------------------------------------------


def _choose_rule(supply_order: SupplyOrder, rules):
    """The best-ranked rule effective on the order date with an active supplier and site,
    or raise ``NoSourcingRule`` saying why none fits."""
    item = supply_order.item
    if not (item.purchased and item.purchasable):
        raise NoSourcingRule(f"Item {item.number} is no longer purchased and purchasable.")
    effective = [rule for rule in rules if effective_on(rule, supply_order.order_date)]
    if not effective:
        raise NoSourcingRule(
            f"No sourcing rule for item {item.number} is effective on {supply_order.order_date}."
        )
    for rule in effective:
        if rule.supplier.active and rule.supplier_site.active:
            return rule
    raise NoSourcingRule(
        f"Every supplier of the sourcing rules for item {item.number} is inactive."
    )


def supply_orders_generate(
    *,
    actor,
    business_unit=None,
    item=None,
    date_from=None,
    date_to=None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress=None,
) -> ProcessResult:
    """Generate Supply Orders: each open supply order gets an approved requisition line
    from its best sourcing rule. One without a usable rule goes to Exception with the
    reason, and the run goes on with the others (it is retried on the next run). The
    dates bound the order date."""
    supply_orders = SupplyOrder.objects.filter(
        status__in=[SupplyStatus.OPEN, SupplyStatus.EXCEPTION]
    ).select_related("item")
    supply_orders = filter_by(
        supply_orders,
        business_unit=business_unit,
        item=item,
        order_date__gte=date_from,
        order_date__lte=date_to,
    )

    def handle(chunk: list[SupplyOrder]) -> ProcessResult:
        result = ProcessResult(examined=len(chunk))
        rules = sourcing_rules_by_item(so.item_id for so in chunk)
        sourced, failed = [], []
        for supply_order in chunk:
            try:
                sourced.append(
                    (supply_order, _choose_rule(supply_order, rules[supply_order.item_id]))
                )
            except NoSourcingRule as refusal:
                result.fail(supply_order, refusal.message)
                failed.append((supply_order, refusal.message))

        headers = {
            unit_id: Requisition(
                business_unit_id=unit_id, preparer=actor, description="Generate Supply Orders"
            )
            for unit_id in {so.business_unit_id for so, _ in sourced}
        }
        bulk_create_with_history(
            list(headers.values()),
            Requisition,
            default_user=actor,
            default_change_reason="Generate Supply Orders",
        )
        requisition_lines = [
            RequisitionLine(
                requisition=headers[so.business_unit_id],
                supply_order=so,
                sales_order_line_id=so.sales_order_line_id,
                item_id=so.item_id,
                quantity=so.quantity,
                sourcing_rule=rule,
                supplier_id=rule.supplier_id,
                supplier_site_id=rule.supplier_site_id,
                unit_price=rule.unit_cost,
                currency_code=rule.currency_code,
                need_by_date=so.need_by_date,
                deliver_to_warehouse_id=so.warehouse_id,
            )
            for so, rule in sourced
        ]
        bulk_create_with_history(
            requisition_lines,
            RequisitionLine,
            default_user=actor,
            default_change_reason="Generate Supply Orders",
        )
        bulk_apply_transition(
            [so for so, _ in sourced],
            "requisition",
            actor=actor,
            reason="Generate Supply Orders",
            fields=("status", "exception_reason"),
        )
        now = timezone.now()
        for supply_order, message in failed:
            apply_transition(
                supply_order,
                "flag_exception",
                actor=actor,
                reason="Generate Supply Orders: exception",
                message=message,
            )
            supply_order.updated_at = now
        bulk_save_with_history(
            [so for so, _ in failed],
            ["status", "exception_reason", "updated_at"],
            actor=actor,
            reason="Generate Supply Orders: exception",
        )
        result.created = len(requisition_lines)
        return result

    return process_in_chunks(supply_orders, handle, batch_size=batch_size, progress=progress)


# --- AutoCreate and the buyer's Document Builder ---------------------------------------


def _create_purchase_orders(*, actor, requisition_lines: list[RequisitionLine], reason: str):
    """One draft PO per business unit, supplier, site, currency and ship-to warehouse; one
    PO line per requisition line, pegged to its sales order line. The caller has locked
    the lines."""
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
            buyer=actor,
        )
        for key in groups
    }
    bulk_create_with_history(
        list(headers.values()), PurchaseOrder, default_user=actor, default_change_reason=reason
    )
    today = timezone.localdate()
    po_lines = [
        PurchaseOrderLine(
            purchase_order=headers[key],
            line_number=line_number,
            requisition_line=line,
            sales_order_line_id=line.sales_order_line_id,
            item_id=line.item_id,
            quantity=line.quantity,
            unit_price=line.unit_price,
            promised_date=max(
                line.need_by_date, today + timedelta(days=line.sourcing_rule.lead_time_days)
            ),
        )
        for key, lines in groups.items()
        for line_number, line in enumerate(lines, start=1)
    ]
    bulk_create_with_history(
        po_lines, PurchaseOrderLine, default_user=actor, default_change_reason=reason
    )
    bulk_apply_transition(requisition_lines, "mark_ordered", actor=actor, reason=reason)
    # Supply orders are locked after their requisition lines, in pk order.
    supply_orders = list(
        SupplyOrder.objects.select_for_update()
        .filter(pk__in=[line.supply_order_id for line in requisition_lines])
        .order_by("pk")
    )
    bulk_apply_transition(supply_orders, "mark_ordered", actor=actor, reason=reason)
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
    lines = RequisitionLine.objects.filter(
        status=RequisitionStatus.APPROVED, sourcing_rule__auto_create_po=True
    ).select_related("requisition", "sourcing_rule")
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
    if not requisition_lines:
        raise ValidationRefused("Select at least one requisition line.")
    locked = list(
        RequisitionLine.objects.select_for_update(of=("self",))
        .filter(pk__in=[line.pk for line in requisition_lines])
        .select_related("requisition", "sourcing_rule")
        .order_by("pk")
    )
    for unit_id in {line.requisition.business_unit_id for line in locked}:
        require_business_unit(actor, unit_id)
    already = [line for line in locked if line.status != RequisitionStatus.APPROVED]
    if already:
        names = ", ".join(str(line) for line in already)
        raise ValidationRefused(f"These requisition lines are no longer awaiting a PO: {names}.")
    headers, _ = _create_purchase_orders(
        actor=actor, requisition_lines=locked, reason="Document Builder"
    )
    return headers


# --- Purchase order approval ----------------------------------------------------------


def _locked_purchase_order(purchase_order: PurchaseOrder, actor) -> PurchaseOrder:
    require_business_unit(actor, purchase_order.business_unit_id)
    return PurchaseOrder.objects.select_for_update().get(pk=purchase_order.pk)


@transaction.atomic
def purchase_order_submit(*, actor, purchase_order: PurchaseOrder) -> PurchaseOrder:
    """Send a draft PO for approval."""
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
    """Approve a PO and communicate it to the supplier: it is now open for receiving."""
    require_permission(actor, "procurement.approve_purchaseorder", "approve purchase orders")
    purchase_order = _locked_purchase_order(purchase_order, actor)
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


# --- Late Supply ----------------------------------------------------------------------


def purchase_order_lines_flag_late(
    *,
    actor,
    business_unit=None,
    supplier=None,
    as_of=None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress=None,
) -> ProcessResult:
    """Late Supply (daily): a pegged PO line past its promised date and not fully
    received is flagged late, and its sales order line at risk. The receipt that
    completes the line clears both."""
    as_of = as_of or timezone.localdate()
    lines = PurchaseOrderLine.objects.filter(
        status=POLineStatus.OPEN,
        purchase_order__status=POStatus.OPEN,
        promised_date__lt=as_of,
        late_since__isnull=True,
        sales_order_line__isnull=False,
    )
    lines = filter_by(
        lines, purchase_order__business_unit=business_unit, purchase_order__supplier=supplier
    )

    def handle(chunk: list[PurchaseOrderLine]) -> ProcessResult:
        now = timezone.now()
        for po_line in chunk:
            po_line.late_since, po_line.updated_at = as_of, now
        bulk_save_with_history(
            chunk, ["late_since", "updated_at"], actor=actor, reason="Late Supply"
        )
        at_risk = list(
            SalesOrderLine.objects.select_for_update()
            .filter(pk__in=[po_line.sales_order_line_id for po_line in chunk])
            .order_by("pk")
        )
        for line in at_risk:
            line.at_risk, line.updated_at = True, now
        bulk_save_with_history(
            at_risk, ["at_risk", "updated_at"], actor=actor, reason="Late Supply"
        )
        return ProcessResult(examined=len(chunk), created=len(chunk))

    return process_in_chunks(lines, handle, batch_size=batch_size, progress=progress)


def purchase_order_follow_lines(*, actor, purchase_order: PurchaseOrder, reason: str) -> None:
    """A PO follows its lines: with no live line left it is cancelled; open with no line
    left to receive, it is closed for receiving. The caller holds the PO's lock and has
    saved the lines."""
    live = purchase_order.lines.exclude(status=POLineStatus.CANCELLED)
    if not live.exists():
        apply_transition(purchase_order, "cancel", actor=actor, reason="no live line left")
    elif (
        purchase_order.status == POStatus.OPEN
        and not live.filter(status=POLineStatus.OPEN).exists()
    ):
        apply_transition(purchase_order, "close_for_receiving", actor=actor, reason=reason)
    else:
        return
    purchase_order.save()
