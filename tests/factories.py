"""Factories of the rows tests make directly: master data, users with a role, process runs.

The documents of the cycle (orders, requisitions, POs, receipts, shipments, invoices) are
made through their services (``tests.helpers.place_order``, the ``drive_to_po`` fixture),
never by a factory: a factory would skip the rules, the pegs and the history the services
write. Every factory gives a valid row with no arguments; the ``world`` fixture
(``tests/fixtures.py``) names the rows the tests rely on.
"""

from datetime import date
from decimal import Decimal

import factory
from django.conf import settings
from django.contrib.auth.models import Permission
from factory.django import DjangoModelFactory, Password

from b2b_portal.roles import DEMO_PASSWORD, role_group
from catalog.models import BusinessUnit, Customer, Item, Supplier, SupplierSite, Warehouse
from processes.models import ProcessRun
from procurement.models import SourcingRule


class BusinessUnitFactory(DjangoModelFactory):
    class Meta:
        model = BusinessUnit

    code = factory.Sequence(lambda n: f"BU{n}")
    name = factory.LazyAttribute(lambda unit: f"{unit.code} Business Unit")
    currency_code = "USD"


class _OfBusinessUnitFactory(DjangoModelFactory):
    """A row owned by a business unit (a new one unless given)."""

    class Meta:
        abstract = True

    business_unit = factory.SubFactory(BusinessUnitFactory)


class WarehouseFactory(_OfBusinessUnitFactory):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"W{n}")
    name = factory.LazyAttribute(lambda warehouse: f"Warehouse {warehouse.code}")


class CustomerFactory(_OfBusinessUnitFactory):
    class Meta:
        model = Customer

    number = factory.Sequence(lambda n: f"C-{9000 + n}")
    name = factory.LazyAttribute(lambda customer: f"Customer {customer.number}")


class SupplierSiteFactory(DjangoModelFactory):
    class Meta:
        model = SupplierSite

    # site=None: the supplier made here gets no site of its own besides this one.
    supplier = factory.SubFactory("tests.factories.SupplierFactory", site=None)
    code = factory.Sequence(lambda n: f"SITE{n}")


class SupplierFactory(DjangoModelFactory):
    """A supplier with one site (``site__code="SEA"`` names it)."""

    class Meta:
        model = Supplier
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"S-{900 + n}")
    name = factory.LazyAttribute(lambda supplier: f"Supplier {supplier.number}")
    site = factory.RelatedFactory(SupplierSiteFactory, factory_related_name="supplier")


class ItemFactory(_OfBusinessUnitFactory):
    """A Back-to-Back item (enabled, purchased, purchasable); ``stock=True`` makes an item
    held in inventory instead."""

    class Meta:
        model = Item

    class Params:
        stock = factory.Trait(
            back_to_back_enabled=False, purchased=False, purchasable=False, stocked=True
        )

    number = factory.Sequence(lambda n: f"ITEM-{n:04d}")
    description = factory.LazyAttribute(lambda item: f"Item {item.number}")
    list_price = Decimal("1000.00")
    currency_code = factory.LazyAttribute(lambda item: item.business_unit.currency_code)
    back_to_back_enabled = True
    purchased = True
    purchasable = True


class SourcingRuleFactory(DjangoModelFactory):
    """Buy ``item`` from ``supplier`` at its (first) site, effective since 2020."""

    class Meta:
        model = SourcingRule

    item = factory.SubFactory(ItemFactory)
    supplier = factory.SubFactory(SupplierFactory)
    supplier_site = factory.LazyAttribute(lambda rule: rule.supplier.sites.order_by("pk")[0])
    rank = 1
    effective_from = date(2020, 1, 1)
    unit_cost = Decimal("800.00")
    currency_code = factory.LazyAttribute(lambda rule: rule.item.currency_code)
    lead_time_days = 10


class UserFactory(DjangoModelFactory):
    """A user with password ``demo1234``: ``role`` is a role of ``b2b_portal.roles`` (the user
    joins its group), ``units`` the business units the user works in, ``permissions`` extra
    ``app_label.codename`` permissions held directly."""

    class Meta:
        model = settings.AUTH_USER_MODEL
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = Password(DEMO_PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(role_group(extracted))

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        for unit in extracted or ():
            unit.members.add(self)

    @factory.post_generation
    def permissions(self, create, extracted, **kwargs):
        for name in extracted or ():
            app_label, codename = name.split(".")
            self.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class ProcessRunFactory(DjangoModelFactory):
    """A queued run row, as a page or beat queues it; the test executes it itself."""

    class Meta:
        model = ProcessRun

    process = "generate_supply_orders"
    parameters = factory.Dict({})
