"""Progress Order and Generate Supply Orders: booked Back-to-Back demand gets a supply
order, and each open supply order a requisition line from its sourcing rule.

Both work through ``processes.batching.process_in_chunks`` (locked chunks, each its own
transaction) and write rows and their history in bulk: no query per line.
"""

from django.db.models import F
from django.utils import timezone

from b2b_portal.bulk_writes import bulk_create_with_history, bulk_save_with_history, insert_selected
from b2b_portal.transitions import apply_transition, bulk_apply_transition
from catalog.models import Item
from inventory.services import stocked_lines_reserve
from orders.models import LineStatus, SalesOrderLine
from orders.promising import supply_need_by
from orders.selectors import order_lines_filtered
from processes.batching import ProcessResult, filter_by, process_in_chunks

from ..exceptions import NoSourcingRule
from ..models import Requisition, RequisitionLine, SupplyOrder, SupplyStatus
from ..selectors import choose_rule, sourcing_rules_by_item

DEFAULT_BATCH_SIZE = 500
PROGRESS = "Progress Order"
GENERATE = "Generate Supply Orders"
# A Back-to-Back line's supply order, made from the line, its order and its warehouse.
SUPPLY_FROM_LINE = {
    "business_unit": F("order__business_unit"),
    "sales_order_line": F("pk"),
    "item": F("item"),
    "warehouse": F("order__warehouse"),
    "quantity": F("quantity"),
    "order_date": F("order__ordered_date"),
    "need_by_date": supply_need_by(),
}


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
    )
    # A line comes to Python only to move to Awaiting Supply (its status); its supply
    # order is made from it in the database (``SUPPLY_FROM_LINE``).
    lines = lines.only("status")

    def handle(chunk: list[SalesOrderLine]) -> ProcessResult:
        made = insert_selected(
            SupplyOrder,
            SalesOrderLine.objects.filter(pk__in=[line.pk for line in chunk]),
            SUPPLY_FROM_LINE,
            actor=actor,
            reason=PROGRESS,
        )
        bulk_apply_transition(chunk, "await_supply", actor=actor, reason=PROGRESS)
        return ProcessResult(examined=len(chunk), created=len(made))

    result = process_in_chunks(lines, handle, batch_size=batch_size, progress=progress)
    result.add(
        stocked_lines_reserve(actor=actor, batch_size=batch_size, progress=progress, **filters)
    )
    return result


# --- Generate Supply Orders -----------------------------------------------------------

# What sourcing and the transitions read of a supply order: whole rows, items included,
# were a third of the run; its requisition line is made from it in the database.
SOURCED_FIELDS = ("status", "business_unit", "sales_order_line", "item", "order_date")
# A requisition line's fields that its supply order gives, and those its rule gives.
LINE_FROM_SUPPLY = {
    "supply_order": F("pk"),
    "sales_order_line": F("sales_order_line"),
    "item": F("item"),
    "quantity": F("quantity"),
    "need_by_date": F("need_by_date"),
    "deliver_to_warehouse": F("warehouse"),
}
LINE_FROM_RULE = {
    "sourcing_rule": "pk",
    "supplier": "supplier_id",
    "supplier_site": "supplier_site_id",
    "unit_price": "unit_cost",
    "currency_code": "currency_code",
}


def _source(chunk: list[SupplyOrder], result: ProcessResult):
    """Each supply order with its rule (``sourced``), or with the reason it has none
    (``failed``, also recorded as a failed line of the run)."""
    item_ids = {so.item_id for so in chunk}
    items = Item.objects.only("number", "purchased", "purchasable").in_bulk(item_ids)
    rules = sourcing_rules_by_item(item_ids)
    sourced, failed = [], []
    for supply_order in chunk:
        try:
            item, day = items[supply_order.item_id], supply_order.order_date
            sourced.append((supply_order, choose_rule(item, rules[item.pk], day)))
        except NoSourcingRule as refusal:
            result.fail(supply_order, refusal.message)
            failed.append((supply_order, refusal.message))
    return sourced, failed


def requisition_lines_create(sourced, *, actor, reason: str = GENERATE) -> list[int]:
    """One approved requisition per business unit, one line per (supply order, rule),
    which moves to Requisitioned; returns the lines' pks. The lines are made in the
    database from their supply orders, with what each one's rule gives: building and
    inserting them in Python was most of Generate's time. The caller holds the supply
    orders' locks."""
    if not sourced:
        return []
    headers = {
        unit_id: Requisition(business_unit_id=unit_id, preparer=actor, description=reason)
        for unit_id in {so.business_unit_id for so, _ in sourced}
    }
    bulk_create_with_history(
        list(headers.values()), Requisition, default_user=actor, default_change_reason=reason
    )
    given = {"requisition": {so.pk: headers[so.business_unit_id].pk for so, _ in sourced}}
    for field, attribute in LINE_FROM_RULE.items():
        given[field] = {so.pk: getattr(rule, attribute) for so, rule in sourced}
    supply_orders = [so for so, _ in sourced]
    made = insert_selected(
        RequisitionLine,
        SupplyOrder.objects.filter(pk__in=[so.pk for so in supply_orders]),
        LINE_FROM_SUPPLY,
        given=given,
        actor=actor,
        reason=reason,
    )
    bulk_apply_transition(
        supply_orders,
        "requisition",
        actor=actor,
        reason=reason,
        fields=("status", "exception_reason", "awaits_buyer"),
    )
    return made


def _flag_exceptions(failed, *, actor) -> None:
    """Supply orders without a usable rule go to Exception with the reason; the next run
    tries them again."""
    now = timezone.now()
    reason = f"{GENERATE}: exception"
    for supply_order, message in failed:
        apply_transition(
            supply_order, "flag_exception", actor=actor, reason=reason, message=message
        )
        supply_order.updated_at = now
    bulk_save_with_history(
        [so for so, _ in failed],
        ["status", "exception_reason", "updated_at"],
        actor=actor,
        reason=reason,
    )


def supply_orders_generate(
    *,
    actor,
    business_unit=None,
    item=None,
    date_from=None,
    date_to=None,
    supply_orders: list[int] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress=None,
) -> ProcessResult:
    """Generate Supply Orders: each open supply order gets an approved requisition line
    from its best sourcing rule. One without a usable rule goes to Exception with the
    reason, and the run goes on with the others (it is retried on the next run); one whose
    supply was cancelled waits for the buyer (``awaits_buyer``). The dates bound the order
    date; ``supply_orders`` (pks) limits the run to those, as "retry failed lines" does."""
    eligible = filter_by(
        SupplyOrder.objects.filter(
            status__in=[SupplyStatus.OPEN, SupplyStatus.EXCEPTION], awaits_buyer=False
        ).only(*SOURCED_FIELDS),
        business_unit=business_unit,
        item=item,
        order_date__gte=date_from,
        order_date__lte=date_to,
        pk__in=supply_orders,
    )

    def handle(chunk: list[SupplyOrder]) -> ProcessResult:
        result = ProcessResult(examined=len(chunk))
        sourced, failed = _source(chunk, result)
        result.created = len(requisition_lines_create(sourced, actor=actor))
        _flag_exceptions(failed, actor=actor)
        return result

    return process_in_chunks(eligible, handle, batch_size=batch_size, progress=progress)
