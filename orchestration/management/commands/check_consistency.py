from django.core.management.base import BaseCommand, CommandError

from orchestration.consistency import CHECKS, check_consistency


class Command(BaseCommand):
    help = (
        "Check the invariants between orders, supply, stock, shipments and invoices; "
        "exit non-zero and list each violation if any fails."
    )

    def handle(self, *args, **options):
        violations = check_consistency()
        for violation in violations:
            self.stderr.write(violation)
        if violations:
            raise CommandError(f"{len(violations)} inconsistencies found.")
        self.stdout.write(f"Consistent: {len(CHECKS)} checks passed.")
