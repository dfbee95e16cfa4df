"""Small helpers the tests share: placing orders through the services and taking a
snapshot of the database to prove that a refused action changed nothing."""

from datetime import timedelta
from decimal import Decimal

from django.apps import apps
from django.utils import timezone
from django_fsm import FSMField

from orders.services import OrderLineInput, sales_order_book, sales_order_create

DOMAIN_APPS = [
    "orders",
    "inventory",
    "procurement",
    "receiving",
    "shipping",
    "invoicing",
    "orchestration",
]


def place_order(world, *lines, customer="C-1001", unit="US1", warehouse="M1", book=True):
    """Create (and book) an order of ``(item number, quantity)`` lines as the clerk."""
    clerk = world.users["clerk"]
    order = sales_order_create(
        actor=clerk,
        business_unit=world.units[unit],
        customer=world.customers[customer],
        warehouse=world.warehouses[warehouse],
        requested_date=timezone.localdate() + timedelta(days=30),
        lines=[
            OrderLineInput(item=world.items[number], quantity=Decimal(qty)) for number, qty in lines
        ],
    )
    if book:
        sales_order_book(actor=clerk, sales_order=order)
    return order


def snapshot() -> dict:
    """Row counts of every domain model (history included) and every FSM status."""
    state = {}
    for label in DOMAIN_APPS:
        for model in apps.get_app_config(label).get_models():
            state[model._meta.label] = model.objects.count()
            status_fields = [f.name for f in model._meta.fields if isinstance(f, FSMField)]
            for name in status_fields:
                state[f"{model._meta.label}.{name}"] = sorted(model.objects.values_list("pk", name))
            quantity_fields = [f.name for f in model._meta.fields if f.name.endswith("quantity")]
            if quantity_fields:
                state[f"{model._meta.label}.quantities"] = sorted(
                    model.objects.values_list("pk", *quantity_fields)
                )
    return state
