import json

from django.core.management.base import BaseCommand

from orchestration.simulation import BURST, simulate_cycle


class Command(BaseCommand):
    help = "Drive demo orders through all seven steps via the services; print a JSON summary."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=20)
        parser.add_argument(
            "--mixed", action="store_true", help="Leave some orders at each earlier stage."
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--burst",
            type=int,
            default=BURST,
            help="Orders the clerk books before the worker starts their Progress Order run.",
        )

    def handle(self, *args, orders, mixed, seed, burst, **options):
        summary = simulate_cycle(orders=orders, mixed=mixed, seed=seed, burst=burst)
        self.stdout.write(json.dumps(summary))
