import json

from django.core.management.base import BaseCommand

from orchestration.simulation import BURST, CLERK, INTAKES, simulate_cycle


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
        parser.add_argument(
            "--intake",
            choices=INTAKES,
            default=CLERK,
            help="clerk: each order entered and booked alone; import: each burst one batch.",
        )

    def handle(self, *args, orders, mixed, seed, burst, intake, **options):
        summary = simulate_cycle(orders=orders, mixed=mixed, seed=seed, burst=burst, intake=intake)
        self.stdout.write(json.dumps(summary))
