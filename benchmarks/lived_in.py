"""A lived-in database for the page benchmark: orders at every stage in both units.

Orders come in cohorts, one per stage, most advanced first (``orchestration.simulation``'s
``cohorts`` and ``run_to``), so each cohort is left where it stops. Most orders are US1
one-line orders booked in bulk (``bulk_book_orders``); a twentieth of each cohort are EU1
orders of 1 to 3 lines entered and booked one at a time through the services. Everything
after booking runs through the services: the batch processes set-based, receipts per PO
(AutoCreate makes POs of up to 500 lines), ship confirm per shipment, AP and AR invoices.
Last, Late Supply runs in EU1 as on a day past every open PO line's promise, so the
Exceptions work area and the dashboard have late lines to show.
"""

import random
from datetime import timedelta

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils import timezone

from b2b_portal.roles import DEMO_PASSWORD, ROLES, role_group
from orchestration.demo import DemoWorld, bulk_book_orders
from orchestration.simulation import book_orders, cohorts, run_to
from procurement.services import purchase_order_lines_flag_late

SHARE_OF_OTHER_UNIT = 20  # one order in 20 is EU1's
# Late Supply runs this many days ahead: past the promise of every open PO line.
LATE_AFTER_DAYS = 120
# The bench users hold every role of the company's staff: not the supplier's own user's
# (who sees one supplier's documents) nor the administrator's (a superuser skips checks).
OUTSIDE_ROLES = {"Supplier", "Administrator"}


def grow(world: DemoWorld, orders: int, seed: int = 1) -> None:
    """Add ``orders`` orders, a cohort left at each stage."""
    # The demo users work in US1 only; here they work in every unit.
    for unit in world.units.values():
        unit.members.add(*world.users.values())
    rng = random.Random(seed)
    for stage, size in cohorts(orders, mixed=True):
        other_unit = max(1, size // SHARE_OF_OTHER_UNIT)
        bulk_book_orders(world, count=size - other_unit)
        book_orders(world, other_unit, rng, book=stage != "entered", unit_code="EU1")
        if stage not in ("entered", "booked"):
            run_to(world, stage)
    # The Exceptions work area and the dashboard's lines at risk have work to show: Late
    # Supply runs in EU1 as on a day past every open PO line's promise, as a supplier late
    # on all of them would leave it (one EU1 order in seven: about 360 lines at 50,000
    # orders, growing with the orders as the other pages' rows do).
    purchase_order_lines_flag_late(
        actor=world.users["manager"],
        business_unit=world.units["EU1"],
        as_of=timezone.localdate() + timedelta(days=LATE_AFTER_DAYS),
    )


def load_users(world: DemoWorld, count: int) -> list[tuple[str, str]]:
    """``count`` users holding every staff role, in every unit, with the demo password
    hashed by the production hasher; returns their credentials."""
    from django.contrib.auth import get_user_model

    hasher = PBKDF2PasswordHasher()
    password = hasher.encode(DEMO_PASSWORD, hasher.salt())  # once: it takes a second
    groups = [role_group(role) for role in ROLES if role not in OUTSIDE_ROLES]
    credentials = []
    for number in range(1, count + 1):
        user, _ = get_user_model().objects.update_or_create(
            username=f"bench{number:02}", defaults={"password": password}
        )
        user.groups.add(*groups)
        for unit in world.units.values():
            unit.members.add(user)
        credentials.append((user.username, DEMO_PASSWORD))
    return credentials
