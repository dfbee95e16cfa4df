from django.core.management.base import BaseCommand

from b2b_portal.roles import DEMO_PASSWORD, ROLES
from orchestration.demo import load_demo_data


class Command(BaseCommand):
    help = "Create (or complete) the demo business units, master data and one user per role."

    def handle(self, *args, **options):
        world = load_demo_data()
        self.stdout.write(
            f"Demo data ready: {len(world.units)} business units, {len(world.items)} items, "
            f"{len(world.users)} users."
        )
        for role, spec in ROLES.items():
            self.stdout.write(f"  {role:<18} {spec['username']:<9} / {DEMO_PASSWORD}")
