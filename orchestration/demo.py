"""The demo world: business units, master data, sourcing rules, and one user per role.

Idempotent: every row is found by its natural key and created only when missing, so
``load_demo_data`` can run on every ``make run``. Tests build the same world.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from b2b_portal.roles import DEMO_PASSWORD, ROLES, role_group
from catalog.models import BusinessUnit, Customer, Item, Supplier, SupplierSite, Warehouse
from inventory.models import OnHandBalance
from inventory.services import stock_adjust
from orders.models import LineStatus, SalesOrder, SalesOrderLine
from procurement.models import SourcingRule
from suppliers.services import supplier_contact_set

RULES_FROM = date(2020, 1, 1)
OPENING_STOCK = Decimal("500")

# (code, name, currency, address printed on its documents, tax rate in percent)
BUSINESS_UNITS = [
    ("US1", "US1 Business Unit", "USD", "2200 Harbor Avenue\nSeattle, WA 98121\nUSA", "8.25"),
    ("EU1", "EU1 Business Unit", "EUR", "Keizersgracht 100\n1015 CV Amsterdam\nNetherlands", "21"),
]
# Each unit's PO approval limit: its buyer approves a PO of a server or two himself; a
# storage array or a larger PO needs a second approver (the administrator in the demo).
PO_APPROVAL_LIMITS = {"US1": Decimal("100000.00"), "EU1": Decimal("100000.00")}
WAREHOUSES = [("US1", "M1", "Seattle Manufacturing"), ("EU1", "E1", "Amsterdam Distribution")]
CUSTOMERS = [
    ("US1", "C-1001", "Acme Analytics"),
    ("US1", "C-1002", "Globex Research"),
    ("US1", "C-1003", "Initech Cloud"),
    ("EU1", "C-2001", "Stark Industries Europe"),
]
# Each customer's (address, payment terms in days), printed on its documents.
CUSTOMER_TERMS = {
    "C-1001": ("500 Market Street\nSan Francisco, CA 94105\nUSA", 30),
    "C-1002": ("12 Research Park Drive\nDurham, NC 27709\nUSA", 45),
    "C-1003": ("4120 Freidrich Lane\nAustin, TX 78744\nUSA", 30),
    "C-2001": ("Friedrichstrasse 43\n10117 Berlin\nGermany", 60),
}
SUPPLIERS = [
    ("S-100", "Northwind Server Supply", "SEA"),
    ("S-200", "Contoso Storage Systems", "SJC"),
    ("S-300", "Fabrikam Hardware", "AUS"),
    ("S-400", "Tailspin Components", "AMS"),
]
# Each supplier's (remit-to address, payment terms in days).
SUPPLIER_TERMS = {
    "S-100": ("1800 Westlake Avenue N\nSeattle, WA 98109\nUSA", 45),
    "S-200": ("2 Almaden Boulevard\nSan Jose, CA 95113\nUSA", 30),
    "S-300": ("901 Congress Avenue\nAustin, TX 78701\nUSA", 60),
    "S-400": ("Stationsplein 10\n1012 AB Amsterdam\nNetherlands", 30),
}
# Who buys each supplier's items (master data), so that a PO's buyer is a buyer and not
# whoever ran AutoCreate. The buyer works in US1 only: EU1's item is the admin's.
SUPPLIER_BUYERS = {"S-100": "buyer", "S-200": "buyer", "S-300": "buyer", "S-400": "buyer"}
ITEM_BUYERS = {"SRV-DL380-EU": "admin"}
# Items taxed at a rate of their own rather than their unit's.
ITEM_TAX_RATES = {"CBL-CAT6-3M": Decimal("5")}
# (unit, number, description, list price, back-to-back, stocked)
ITEMS = [
    ("US1", "SRV-DL380-G11", "High-end rack server, 2x64-core, 1 TB RAM", "48500.00", True, False),
    ("US1", "SRV-R760-XA", "GPU server, 4x accelerator, 512 GB RAM", "96000.00", True, False),
    ("US1", "STO-A400-96T", "All-flash storage array, 96 TB", "132000.00", True, False),
    ("US1", "STO-X70-R4", "NVMe storage array, 180 TB", "210000.00", True, False),
    ("US1", "CBL-CAT6-3M", "Cat6 patch cable, 3 m", "4.50", False, True),
    ("EU1", "SRV-DL380-EU", "High-end rack server (EU build)", "45000.00", True, False),
]
# (item, supplier, rank, unit cost, lead days, auto-create PO)
RULES = [
    ("SRV-DL380-G11", "S-100", 1, "39800.00", 10, True),
    ("SRV-DL380-G11", "S-300", 2, "41250.00", 7, True),
    ("SRV-R760-XA", "S-300", 1, "81000.00", 14, True),
    ("STO-A400-96T", "S-200", 1, "109500.00", 21, True),
    ("STO-X70-R4", "S-200", 1, "176000.00", 28, False),
    ("SRV-DL380-EU", "S-400", 1, "37900.00", 12, True),
]


@dataclass
class DemoWorld:
    units: dict[str, BusinessUnit]
    warehouses: dict[str, Warehouse]
    customers: dict[str, Customer]
    suppliers: dict[str, Supplier]
    items: dict[str, Item]
    users: dict[str, object]


def _load_users(units: dict[str, BusinessUnit]) -> dict[str, object]:
    user_model = get_user_model()
    users = {}
    for role, spec in ROLES.items():
        group = role_group(role)
        user, created = user_model.objects.get_or_create(
            username=spec["username"],
            defaults={"first_name": role, "email": f"{spec['username']}@example.com"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
        user.is_superuser = spec.get("superuser", False)
        # The workbench is every role's interface; the admin is the administrator's.
        user.is_staff = user.is_superuser
        user.save()
        user.groups.add(group)
        if role != "Supplier":  # a supplier's user is scoped by their supplier, not a unit
            units["US1"].members.add(user)
        if user.is_superuser:
            units["EU1"].members.add(user)
        users[spec["username"]] = user
    return users


@transaction.atomic
def load_demo_data() -> DemoWorld:
    units = _load_units()
    warehouses = _load_of_units(Warehouse, "code", WAREHOUSES, units)
    customers = _load_of_units(Customer, "number", CUSTOMERS, units)
    _load_terms(customers, CUSTOMER_TERMS)
    suppliers, sites = _load_suppliers()
    _load_terms(suppliers, SUPPLIER_TERMS)
    items = _load_items(units)
    _load_sourcing_rules(items, suppliers, sites)
    users = _load_users(units)
    supplier_contact_set(actor=users["admin"], user=users["supplier"], supplier=suppliers["S-100"])
    _assign_buyers(suppliers, SUPPLIER_BUYERS, users)
    _assign_buyers(items, ITEM_BUYERS, users)
    _load_opening_stock(items, warehouses, actor=users["admin"])
    return DemoWorld(
        units=units,
        warehouses=warehouses,
        customers=customers,
        suppliers=suppliers,
        items=items,
        users=users,
    )


def _load_units() -> dict[str, BusinessUnit]:
    units = {}
    for code, name, currency, address, tax_rate in BUSINESS_UNITS:
        units[code], _ = BusinessUnit.objects.get_or_create(
            code=code, defaults={"name": name, "currency_code": currency}
        )
        _fill_in(units[code], address=address, tax_rate=Decimal(tax_rate))
        _fill_in_empty(units[code], po_approval_limit=PO_APPROVAL_LIMITS[code])
    return units


def _assign_buyers(rows: dict, buyers: dict[str, str], users: dict) -> None:
    for key, username in buyers.items():
        _fill_in_empty(rows[key], buyer=users[username])


def _fill_in_empty(row, **values) -> None:
    """Set each of ``values`` the row has empty (a demo database older than them gets
    them; a value chosen in the admin is kept)."""
    missing = {name: value for name, value in values.items() if getattr(row, name) is None}
    if not missing:
        return
    for name, value in missing.items():
        setattr(row, name, value)
    row._change_reason = "demo data"
    row.save(update_fields=[*missing, "updated_at"])


def _load_terms(parties: dict, terms: dict) -> None:
    for number, (address, days) in terms.items():
        _fill_in(parties[number], address=address, payment_terms_days=days)


def _fill_in(row, *, address: str, **values) -> None:
    """A unit, customer or supplier without an address gets the demo's with its terms or
    tax rate: a demo database loaded before addresses existed gets them too, and an
    address typed in the admin is kept."""
    if row.address:
        return
    row.address = address
    for name, value in values.items():
        setattr(row, name, value)
    row._change_reason = "demo data"
    row.save(update_fields=["address", *values, "updated_at"])


def _load_of_units(model, key: str, rows, units: dict[str, BusinessUnit]) -> dict:
    """Named rows of one unit each (warehouses, customers), by their ``key``."""
    return {
        value: model.objects.get_or_create(
            **{key: value}, defaults={"business_unit": units[unit], "name": name}
        )[0]
        for unit, value, name in rows
    }


def _load_suppliers() -> tuple[dict[str, Supplier], dict[str, SupplierSite]]:
    """Each supplier with its one site, both by supplier number."""
    suppliers, sites = {}, {}
    for number, name, site_code in SUPPLIERS:
        suppliers[number], _ = Supplier.objects.get_or_create(
            number=number, defaults={"name": name}
        )
        sites[number], _ = SupplierSite.objects.get_or_create(
            supplier=suppliers[number], code=site_code
        )
    return suppliers, sites


def _load_items(units: dict[str, BusinessUnit]) -> dict[str, Item]:
    items = {}
    for unit, number, description, price, b2b, stocked in ITEMS:
        items[number], _ = Item.objects.get_or_create(
            number=number,
            defaults={
                "business_unit": units[unit],
                "description": description,
                "list_price": Decimal(price),
                "currency_code": units[unit].currency_code,
                "back_to_back_enabled": b2b,
                "purchased": b2b,
                "purchasable": b2b,
                "stocked": stocked,
                "tax_rate": ITEM_TAX_RATES.get(number),
            },
        )
    return items


def _load_sourcing_rules(items, suppliers, sites) -> None:
    for item, supplier, rank, cost, lead_days, auto in RULES:
        SourcingRule.objects.get_or_create(
            item=items[item],
            supplier=suppliers[supplier],
            rank=rank,
            defaults={
                "supplier_site": sites[supplier],
                "effective_from": RULES_FROM,
                "unit_cost": Decimal(cost),
                "currency_code": items[item].currency_code,
                "lead_time_days": lead_days,
                "auto_create_po": auto,
            },
        )


def _load_opening_stock(items, warehouses, *, actor) -> None:
    """Stocked items start with stock in their unit's warehouse, once."""
    for item in items.values():
        if not item.is_stock_item or OnHandBalance.objects.filter(item=item).exists():
            continue
        warehouse = next(
            w for w in warehouses.values() if w.business_unit_id == item.business_unit_id
        )
        stock_adjust(
            actor=actor,
            item=item,
            warehouse=warehouse,
            quantity=OPENING_STOCK,
            reason="opening balance",
        )


def bulk_book_orders(world: DemoWorld, *, count: int, item_number: str = "SRV-DL380-G11"):
    """``count`` booked one-line orders written in bulk with their history, as the clerk.

    For volume (benchmarks, concurrency tests): the rows are exactly what
    ``sales_order_create`` and ``sales_order_book`` make, without a query per order.
    """
    clerk = world.users["clerk"]
    unit = world.units["US1"]
    item = world.items[item_number]
    today = timezone.localdate()
    now = timezone.now()
    customers = [c for c in world.customers.values() if c.business_unit_id == unit.pk]
    orders = bulk_create_with_history(
        [
            SalesOrder(
                business_unit=unit,
                customer=customers[n % len(customers)],
                warehouse=world.warehouses["M1"],
                ordered_date=today,
                requested_date=today,
                currency_code=unit.currency_code,
                created_by=clerk,
                booked_by=clerk,
                booked_at=now,
            )
            for n in range(count)
        ],
        SalesOrder,
        batch_size=1000,
        default_user=clerk,
        default_change_reason="booked",
    )
    return bulk_create_with_history(
        [
            SalesOrderLine(
                order=order,
                line_number=1,
                item=item,
                quantity=1,
                unit_selling_price=item.list_price,
                requested_date=today,
                status=LineStatus.BOOKED,
            )
            for order in orders
        ],
        SalesOrderLine,
        batch_size=1000,
        default_user=clerk,
        default_change_reason="booked",
    )
