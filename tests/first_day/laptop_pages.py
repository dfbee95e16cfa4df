"""Run by test_laptop_pages.py in a process of its own, on the laptop settings and a fresh
SQLite file, as `make run` runs: migrate, make documents at every stage with late supply,
then open the pages whose SQL is written by hand (the dashboard, the Exceptions work area)
as each demo user. Prints one line per page: the user, the path and the status code."""

from datetime import timedelta

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from orchestration.demo import load_demo_data  # noqa: E402
from orchestration.simulation import simulate_cycle  # noqa: E402
from procurement.services import purchase_order_lines_flag_late  # noqa: E402

call_command("migrate", verbosity=0)
simulate_cycle(orders=14, mixed=True)
world = load_demo_data()
late = purchase_order_lines_flag_late(
    actor=world.users["manager"], as_of=timezone.localdate() + timedelta(days=365)
)
print("late", late.created)
exceptions = reverse("orchestration:exceptions")
pages = [reverse("home"), exceptions, f"{exceptions}?sort=-days_late", f"{exceptions}?q=PO"]
for username in ("clerk", "buyer", "ap", "admin"):
    client = Client(HTTP_HOST="localhost")  # an ALLOWED_HOSTS name of the laptop settings
    client.force_login(world.users[username])
    for path in pages:
        print(username, path, client.get(path).status_code)
