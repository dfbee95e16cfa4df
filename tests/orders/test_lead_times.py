"""The lead time a booking promises with, read in SQL with the lines it books
(``orders.promising.lead_time``), is the lead time of the rule Generate Supply Orders will
source the line from in Python (``choose_rule``): best rank among the rules effective today
(both ends included) whose supplier and site are active, for an item still purchased,
purchasable and Back-to-Back. The two are held to the same choice in every case here."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Item, Supplier
from orders.models import SalesOrderLine
from orders.promising import lead_times
from orders.services import OrderLineInput, sales_order_book, sales_order_create
from procurement.exceptions import NoSourcingRule
from procurement.models import SourcingRule
from procurement.selectors import choose_rule, sourcing_rules_by_item

pytestmark = pytest.mark.django_db

ITEM = "SRV-DL380-G11"  # rank 1: S-100, 10 days; rank 2: S-300, 7 days (tests/fixtures.py)
TODAY = timezone.localdate()


def _rank_one():
    return SourcingRule.objects.get(item__number=ITEM, rank=1)


def _expired(world):
    SourcingRule.objects.filter(pk=_rank_one().pk).update(effective_to=TODAY - timedelta(days=1))


def _ends_today(world):
    SourcingRule.objects.filter(pk=_rank_one().pk).update(effective_to=TODAY)


def _starts_tomorrow(world):
    SourcingRule.objects.filter(pk=_rank_one().pk).update(effective_from=TODAY + timedelta(days=1))


def _better_rank_not_yet_effective(world):
    SourcingRule.objects.create(
        item=world.items[ITEM],
        supplier=world.suppliers["S-200"],
        supplier_site=world.suppliers["S-200"].sites.get(),
        rank=0,
        effective_from=TODAY + timedelta(days=30),
        unit_cost=Decimal("1.00"),
        lead_time_days=3,
    )


def _better_rank_effective(world):
    _better_rank_not_yet_effective(world)
    SourcingRule.objects.filter(item__number=ITEM, rank=0).update(effective_from=TODAY)


def _supplier_inactive(world):
    Supplier.objects.filter(number="S-100").update(active=False)


def _site_inactive(world):
    world.suppliers["S-100"].sites.update(active=False)


def _every_supplier_inactive(world):
    Supplier.objects.filter(number__in=["S-100", "S-300"]).update(active=False)


def _not_purchasable(world):
    Item.objects.filter(number=ITEM).update(purchasable=False)


def _not_purchased(world):
    Item.objects.filter(number=ITEM).update(purchased=False)


def _not_back_to_back(world):
    Item.objects.filter(number=ITEM).update(back_to_back_enabled=False)


@pytest.mark.parametrize(
    ("change", "lead"),
    [
        (None, 10),
        (_expired, 7),
        (_ends_today, 10),
        (_starts_tomorrow, 7),
        (_better_rank_not_yet_effective, 10),
        (_better_rank_effective, 3),
        (_supplier_inactive, 7),
        (_site_inactive, 7),
        (_every_supplier_inactive, None),
        (_not_purchasable, None),
        (_not_purchased, None),
        (_not_back_to_back, None),
    ],
)
def test_the_lead_time_is_the_rule_generate_would_choose(world, change, lead):
    if change:
        change(world)
    item = Item.objects.get(number=ITEM)

    assert lead_times([item], TODAY).get(item.pk) == lead
    try:
        chosen = choose_rule(item, sourcing_rules_by_item([item.pk])[item.pk], TODAY)
    except NoSourcingRule:
        chosen = None
    if item.back_to_back_enabled:  # a stocked item is served from on-hand: no lead time
        assert (chosen.lead_time_days if chosen else None) == lead


def test_a_booking_promises_with_the_rule_that_wins_today(world):
    """S-100 (10 days) no longer supplies: S-300's 7 days set the date; the stocked line
    needs only the warehouse's processing days."""
    _supplier_inactive(world)
    warehouse = world.warehouses["M1"]
    order = sales_order_create(
        actor=world.users["clerk"],
        business_unit=world.units["US1"],
        customer=world.customers["C-1001"],
        warehouse=warehouse,
        requested_date=TODAY,
        lines=[
            OrderLineInput(item=world.items[ITEM], quantity=Decimal("1")),
            OrderLineInput(item=world.items["CBL-CAT6-3M"], quantity=Decimal("1")),
        ],
    )

    sales_order_book(actor=world.users["clerk"], sales_order=order)

    dates = dict(
        SalesOrderLine.objects.filter(order=order).values_list(
            "item__number", "scheduled_ship_date"
        )
    )
    processing = timedelta(days=warehouse.processing_days)
    assert dates == {
        ITEM: TODAY + timedelta(days=7) + processing,
        "CBL-CAT6-3M": TODAY + processing,
    }
