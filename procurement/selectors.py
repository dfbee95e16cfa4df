"""Read queries of the supply side that services and pages share."""

from collections import defaultdict
from datetime import date

from .models import SourcingRule


def sourcing_rules_by_item(item_ids) -> dict[int, list[SourcingRule]]:
    """Every sourcing rule of these items, best rank first, in one query."""
    rules = defaultdict(list)
    queryset = (
        SourcingRule.objects.filter(item_id__in=set(item_ids))
        .select_related("supplier", "supplier_site")
        .order_by("item_id", "rank", "pk")
    )
    for rule in queryset:
        rules[rule.item_id].append(rule)
    return rules


def effective_on(rule: SourcingRule, day: date) -> bool:
    return rule.effective_from <= day and (rule.effective_to is None or day <= rule.effective_to)
