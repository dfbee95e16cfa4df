from django.core.management.base import BaseCommand

from b2b_portal.roles import DEMO_PASSWORD, ROLES
from orchestration.demo import load_demo_data
from orchestration.simulation import simulate_cycle
from orders.models import SalesOrder


class Command(BaseCommand):
    help = "Create (or complete) the demo business units, master data and one user per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-orders",
            type=int,
            default=0,
            help="When there are no sales orders yet, drive this many demo orders through "
            "the cycle, leaving some at every stage (simulate_cycle --mixed).",
        )

    def handle(self, *args, with_orders, **options):
        world = load_demo_data()
        if with_orders and not SalesOrder.objects.exists():
            summary = simulate_cycle(orders=with_orders, mixed=True)
            self.stdout.write(f"Demo orders: {summary['lines_by_status']}")
        self.stdout.write(
            f"Demo data ready: {len(world.units)} business units, {len(world.items)} items, "
            f"{len(world.users)} users."
        )
        for role, spec in ROLES.items():
            self.stdout.write(f"  {role:<18} {spec['username']:<9} / {DEMO_PASSWORD}")
