"""Domain fixtures shared by every test folder (registered by ``tests/conftest.py``).

``world`` is the tests' own world, made by the factories: the same business units, master
data, sourcing rules and one user per role as the demo (``orchestration.demo``), so that the
names and prices the tests assert on read like the portal a user sees, but declared here so
that a change to the demo never changes what a test starts from.
"""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from b2b_portal.roles import ROLES
from catalog.models import BusinessUnit, Customer, Item, Supplier, Warehouse
from inventory.services import stock_adjust
from orchestration.demo import DemoWorld
from procurement.models import PurchaseOrderLine, RequisitionLine
from procurement.services import (
    orders_progress,
    purchase_order_approve,
    purchase_order_submit,
    purchase_orders_create_from_requisitions,
    supply_orders_generate,
)
from suppliers.services import supplier_contact_set
from tests.committed_world import CommittedWorld
from tests.factories import (
    BusinessUnitFactory,
    CustomerFactory,
    ItemFactory,
    SourcingRuleFactory,
    SupplierFactory,
    UserFactory,
    WarehouseFactory,
)
from tests.helpers import place_order

OPENING_STOCK = Decimal("500")
UNITS = [("US1", "USD"), ("EU1", "EUR")]
WAREHOUSES = [("US1", "M1", "Seattle Manufacturing"), ("EU1", "E1", "Amsterdam Distribution")]
CUSTOMERS = [
    ("US1", "C-1001", "Acme Analytics"),
    ("US1", "C-1002", "Globex Research"),
    ("US1", "C-1003", "Initech Cloud"),
    ("EU1", "C-2001", "Stark Industries Europe"),
]
SUPPLIERS = [
    ("S-100", "Northwind Server Supply", "SEA"),
    ("S-200", "Contoso Storage Systems", "SJC"),
    ("S-300", "Fabrikam Hardware", "AUS"),
    ("S-400", "Tailspin Components", "AMS"),
]
# (unit, number, description, list price); the cable is a stocked item, the rest Back-to-Back.
ITEMS = [
    ("US1", "SRV-DL380-G11", "High-end rack server, 2x64-core, 1 TB RAM", "48500.00"),
    ("US1", "SRV-R760-XA", "GPU server, 4x accelerator, 512 GB RAM", "96000.00"),
    ("US1", "STO-A400-96T", "All-flash storage array, 96 TB", "132000.00"),
    ("US1", "STO-X70-R4", "NVMe storage array, 180 TB", "210000.00"),
    ("US1", "CBL-CAT6-3M", "Cat6 patch cable, 3 m", "4.50"),
    ("EU1", "SRV-DL380-EU", "High-end rack server (EU build)", "45000.00"),
]
STOCKED = {"CBL-CAT6-3M"}
# (item, supplier, rank, unit cost, lead days, AutoCreate may make its POs)
RULES = [
    ("SRV-DL380-G11", "S-100", 1, "39800.00", 10, True),
    ("SRV-DL380-G11", "S-300", 2, "41250.00", 7, True),
    ("SRV-R760-XA", "S-300", 1, "81000.00", 14, True),
    ("STO-A400-96T", "S-200", 1, "109500.00", 21, True),
    ("STO-X70-R4", "S-200", 1, "176000.00", 28, False),
    ("SRV-DL380-EU", "S-400", 1, "37900.00", 12, True),
]


def _master_data() -> DemoWorld:
    units = {code: BusinessUnitFactory(code=code, currency_code=cur) for code, cur in UNITS}
    items = {
        number: ItemFactory(
            business_unit=units[unit],
            number=number,
            description=description,
            list_price=Decimal(price),
            stock=number in STOCKED,
        )
        for unit, number, description, price in ITEMS
    }
    return DemoWorld(
        units=units,
        warehouses={
            code: WarehouseFactory(business_unit=units[unit], code=code, name=name)
            for unit, code, name in WAREHOUSES
        },
        customers={
            number: CustomerFactory(business_unit=units[unit], number=number, name=name)
            for unit, number, name in CUSTOMERS
        },
        suppliers={
            number: SupplierFactory(number=number, name=name, site__code=site)
            for number, name, site in SUPPLIERS
        },
        items=items,
        users={},
    )


def _users(units) -> dict:
    """One user per role, named as the role's demo user, working in US1 (the
    administrator, a superuser and the only staff user, in every unit)."""
    users = {}
    for role, spec in ROLES.items():
        superuser = spec.get("superuser", False)
        # A supplier's user belongs to no unit: their supplier's POs scope them.
        works_in = [] if role == "Supplier" else [units["US1"]]
        users[spec["username"]] = UserFactory(
            username=spec["username"],
            first_name=role,
            is_staff=superuser,
            is_superuser=superuser,
            role=role,
            units=list(units.values()) if superuser else works_in,
        )
    return users


def _build_world() -> None:
    """Business units US1 and EU1, their warehouses, customers and items, four suppliers,
    the sourcing rules, one user per role, and the cable's opening stock in M1."""
    world = _master_data()
    for item, supplier, rank, cost, lead_days, auto in RULES:
        SourcingRuleFactory(
            item=world.items[item],
            supplier=world.suppliers[supplier],
            rank=rank,
            unit_cost=Decimal(cost),
            lead_time_days=lead_days,
            auto_create_po=auto,
        )
    world.users = _users(world.units)
    # The supplier's user works for Northwind, which supplies the DL380 servers.
    supplier_contact_set(
        actor=world.users["admin"], user=world.users["supplier"], supplier=world.suppliers["S-100"]
    )
    for number in STOCKED:
        stock_adjust(
            actor=world.users["admin"],
            item=world.items[number],
            warehouse=world.warehouses["M1"],
            quantity=OPENING_STOCK,
            reason="opening balance",
        )


def _in_order(queryset, field: str, keys) -> dict:
    """``queryset``'s rows by ``field``, in the order of ``keys`` (the tables above)."""
    rows = queryset.in_bulk([*keys], field_name=field)
    return {key: rows[key] for key in keys}


def _load_world() -> DemoWorld:
    """The committed world read back: new instances for every test, with the business unit
    each row was made with already attached, as the factories leave it."""
    return DemoWorld(
        units=_in_order(BusinessUnit.objects, "code", [code for code, _ in UNITS]),
        warehouses=_in_order(
            Warehouse.objects.select_related("business_unit"), "code", [w[1] for w in WAREHOUSES]
        ),
        customers=_in_order(
            Customer.objects.select_related("business_unit"), "number", [c[1] for c in CUSTOMERS]
        ),
        suppliers=_in_order(Supplier.objects, "number", [s[0] for s in SUPPLIERS]),
        items=_in_order(
            Item.objects.select_related("business_unit"), "number", [i[1] for i in ITEMS]
        ),
        users=_in_order(
            get_user_model().objects,
            "username",
            [spec["username"] for spec in ROLES.values()],
        ),
    )


@pytest.fixture(scope="session")
def committed_world(django_db_setup, django_db_blocker):
    """The world built once in this process's test database (see tests/committed_world.py)."""
    global _committed
    _committed = CommittedWorld(_build_world, django_db_blocker)
    _committed.open()
    yield _committed
    _committed.close()
    _committed = None


_committed: CommittedWorld | None = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test has flushed the database, put the world back."""
    result = yield
    if _committed is not None:
        _committed.restore()
    return result


@pytest.fixture(autouse=True)
def _world_only_when_asked(request):
    """A database test that does not ask for ``world`` starts without it, as it always did."""
    if _committed is None or "world" in request.fixturenames:
        return
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if uses_db:
        request.getfixturevalue("db")
        _committed.hide()


@pytest.fixture
def world(committed_world, db) -> DemoWorld:
    """Business units US1 and EU1, their warehouses, customers and items, four suppliers,
    the sourcing rules, one user per role, and the cable's opening stock in M1."""
    if not committed_world.present():
        # Only if a test before this one emptied the database without flushing it.
        _build_world()
    return _load_world()


@pytest.fixture
def users(world):
    return world.users


@pytest.fixture
def unsourced_item(world):
    """A Back-to-Back item nobody sources: Generate Supply Orders puts its lines in Exception."""
    item = ItemFactory(
        business_unit=world.units["US1"],
        number="SRV-NO-RULE",
        description="Server without a sourcing rule",
    )
    world.items[item.number] = item
    return item


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def drive_to_po(world):
    """Book an order and carry it to a PO; ``approve`` says whether the PO is approved."""

    def drive(*lines, approve=True):
        users = world.users
        order = place_order(world, *lines)
        orders_progress(actor=users["manager"], sales_order=order)
        supply_orders_generate(actor=users["buyer"])
        requisition_lines = list(
            RequisitionLine.objects.filter(sales_order_line__order=order).order_by("pk")
        )
        purchase_orders = purchase_orders_create_from_requisitions(
            actor=users["buyer"], requisition_lines=requisition_lines
        )
        if approve:
            for purchase_order in purchase_orders:
                purchase_order_submit(actor=users["buyer"], purchase_order=purchase_order)
                purchase_order_approve(actor=users["buyer"], purchase_order=purchase_order)
        po_lines = list(
            PurchaseOrderLine.objects.filter(sales_order_line__order=order).order_by("pk")
        )
        return order, po_lines

    return drive


@pytest.fixture
def roles_with_the_admin(world):
    """The role users as staff: what the admin shows and does for a role to whom a product
    decision opens it (docs/decisions.md; the demo opens it to the administrator only)."""
    for user in world.users.values():
        user.is_staff = True
        user.save(update_fields=["is_staff"])
