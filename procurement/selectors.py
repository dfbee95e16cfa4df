"""Read queries of the supply side that services and pages share."""

from collections import defaultdict
from datetime import date

from django.db.models import Prefetch, Q

from b2b_portal.queries import with_a_line
from catalog.models import Item, Supplier
from processes.batching import filter_by

from .exceptions import NoSourcingRule
from .models import POLineStatus, PurchaseOrderLine, Requisition, RequisitionLine, SourcingRule

# The PO lines that count for a PO's totals, billing and the peg: any but a cancelled one.
LIVE_PO_LINES = ~Q(status=POLineStatus.CANCELLED)


# What ``choose_rule`` and its callers read of a rule: building rules with their
# suppliers' and sites' every field was a fifth of a booking, when booking read them.
RULE_FIELDS = (
    "item",
    "rank",
    "effective_from",
    "effective_to",
    "lead_time_days",
    "unit_cost",
    "currency_code",
    "supplier__active",
    "supplier_site__active",
)


def sourcing_rules_by_item(item_ids) -> dict[int, list[SourcingRule]]:
    """Every sourcing rule of these items, best rank first, in one query (``RULE_FIELDS``
    of each)."""
    rules = defaultdict(list)
    queryset = (
        SourcingRule.objects.filter(item_id__in=set(item_ids))
        .select_related("supplier", "supplier_site")
        .only(*RULE_FIELDS)
        .order_by("item_id", "rank", "pk")
    )
    for rule in queryset:
        rules[rule.item_id].append(rule)
    return rules


def winning_rules(day: date):
    """``choose_rule``'s choice as a query, for a statement that reads it with rows of its
    own (a booking's lines): the rules of purchased and purchasable items effective on
    ``day`` whose supplier and site are active, best rank first; an item's first is its
    winner. ``tests/orders/test_lead_times.py`` holds the two to the same choice."""
    return SourcingRule.objects.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=day),
        effective_from__lte=day,
        item__purchased=True,
        item__purchasable=True,
        supplier__active=True,
        supplier_site__active=True,
    ).order_by("rank", "pk")


def effective_on(rule: SourcingRule, day: date) -> bool:
    return rule.effective_from <= day and (rule.effective_to is None or day <= rule.effective_to)


def choose_rule(item, rules: list[SourcingRule], day: date) -> SourcingRule:
    """The winning rule of ``item`` on ``day`` (``rules``: the item's, best rank first): the
    best-ranked effective rule with an active supplier and site. Raises ``NoSourcingRule``
    saying why none fits."""
    if not (item.purchased and item.purchasable):
        raise NoSourcingRule(f"Item {item.number} is no longer purchased and purchasable.")
    effective = [rule for rule in rules if effective_on(rule, day)]
    if not effective:
        raise NoSourcingRule(f"No sourcing rule for item {item.number} is effective on {day}.")
    for rule in effective:
        if rule.supplier.active and rule.supplier_site.active:
            return rule
    raise NoSourcingRule(
        f"Every supplier of the sourcing rules for item {item.number} is inactive."
    )


def assigned_buyer_id(requisition_line: RequisitionLine) -> int | None:
    """Who buys a requisition line (master data): the item's buyer, else the supplier's;
    None when neither is assigned. Reads ``item`` and ``supplier``: select them."""
    return requisition_line.item.buyer_id or requisition_line.supplier.buyer_id


# Joins ``po_grouping_key`` reads: callers add them to their ``select_related``.
PO_GROUPING_RELATED = ("requisition", "item", "supplier")
# Or, for a caller of many lines reading no more than it needs: the line's fields
# ``po_grouping_key`` reads, in ``only``, and its joins from ``po_grouping_prefetch``.
PO_GROUPING_FIELDS = (
    *PO_GROUPING_RELATED,
    "supplier_site",
    "currency_code",
    "deliver_to_warehouse",
)


def po_grouping_prefetch() -> list[Prefetch]:
    """``po_grouping_key``'s joins read once per header, not with each line (the few
    requisitions, items and suppliers of a batch), with the one field each it reads."""
    return [
        Prefetch("requisition", Requisition.objects.only("business_unit")),
        Prefetch("item", Item.objects.only("buyer")),
        Prefetch("supplier", Supplier.objects.only("buyer")),
    ]


def po_grouping_key(requisition_line: RequisitionLine) -> tuple:
    """What makes requisition lines one purchase order: business unit, supplier, site,
    currency, ship-to warehouse and assigned buyer (0: none), AutoCreate and the Document
    Builder alike."""
    return (
        requisition_line.requisition.business_unit_id,
        requisition_line.supplier_id,
        requisition_line.supplier_site_id,
        requisition_line.currency_code,
        requisition_line.deliver_to_warehouse_id,
        assigned_buyer_id(requisition_line) or 0,
    )


def purchase_orders_filtered(
    purchase_orders, *, number=None, supplier=None, item=None, status=None
):
    """Narrow purchase orders by number, supplier, status and an item on any line (None
    means "all")."""
    purchase_orders = filter_by(purchase_orders, pk=number, supplier=supplier, status=status)
    if item is None:
        return purchase_orders
    return with_a_line(purchase_orders, PurchaseOrderLine, Q(item=item), document="purchase_order")
