"""Benchmark of the portal's pages under gunicorn with concurrent signed-in users.

    python -m benchmarks.pages --orders 50000 --clients 20

Builds a lived-in scratch database (``benchmarks.lived_in``: orders at every stage, two
business units), starts gunicorn (``gunicorn.conf.py``, 3 workers, ``benchmarks.settings``:
production with DEBUG off over plain HTTP) on a free loopback port, and drives every list
page, the dashboard, the Exceptions work area, a document page of each kind and a Peg
Trace (``benchmarks.load``): first with one client, then with ``--clients``. One JSON line
per page (p50_ms, p95_ms, requests, errors) and a total (requests_per_second, errors).
With ``--compare`` (the default) it first measures at a tenth of the orders, grows the same
database to ``--orders`` and prints each page's p50 and p95 ratio large/small: near 1 when
a page does not grow with the data.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from benchmarks.load import drive, summarise
from benchmarks.scratch import add_server_argument, analyse, demo_world_in_scratch_database

ROOT = Path(__file__).resolve().parent.parent
# A worker's first request imports every view: on a busy 2-core machine that outlasted
# gunicorn's default 30 s, and the worker was killed before it could answer anything.
TIMEOUT = ["--timeout", "120"]
# One client opens each page this many times at least: its p95 over 3 requests was their
# slowest, and one slow request moved a page's ratio by tens of percent.
ONE_CLIENT_ROUNDS = 20
LIST_PAGES = [
    "home",
    "orders:list",
    "procurement:requisitions",
    "procurement:po_list",
    "receiving:expected",
    "receiving:receipt_list",
    "shipping:release",
    "shipping:shipment_list",
    "invoicing:ap_list",
    "invoicing:ar_list",
    "processes:run_list",
    "orchestration:exceptions",
]


def page_paths() -> dict[str, str]:
    """The list pages, and the biggest document of each kind (most lines), a Peg Trace of
    a closed line."""
    from django.db.models import Count
    from django.urls import reverse

    from invoicing.models import APInvoice, ARInvoice
    from orders.models import LineStatus, SalesOrder, SalesOrderLine
    from procurement.models import PurchaseOrder
    from receiving.models import Receipt
    from shipping.models import Shipment

    def biggest(model):
        return model.objects.annotate(n=Count("lines")).order_by("-n", "pk").first().pk

    paths = {name: reverse(name) for name in LIST_PAGES}
    documents = {
        "orders:detail": SalesOrder,
        "procurement:po_detail": PurchaseOrder,
        "receiving:receipt_detail": Receipt,
        "shipping:shipment_detail": Shipment,
        "invoicing:ap_detail": APInvoice,
        "invoicing:ar_detail": ARInvoice,
    }
    paths |= {name: reverse(name, args=[biggest(model)]) for name, model in documents.items()}
    closed = SalesOrderLine.objects.filter(status=LineStatus.CLOSED).order_by("pk").first()
    paths["orchestration:peg_trace"] = reverse("orchestration:peg_trace", args=[closed.pk])
    return paths


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(log: Path):
    """gunicorn on the scratch database; yields its base URL, stops it on the way out."""
    port = free_port()
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "SECRET_KEY": "benchmark-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "3",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    }
    gunicorn_bin = Path(sys.executable).parent / "gunicorn"
    with log.open("a") as output:
        server = subprocess.Popen(
            [gunicorn_bin, "-c", "gunicorn.conf.py", *TIMEOUT, "b2b_portal.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base_url, server)
            yield base_url
        finally:
            server.terminate()
            server.wait(timeout=60)


def wait_until_up(base_url: str, server: subprocess.Popen, seconds: int = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}: see its log")
        try:
            if requests.get(f"{base_url}/accounts/login/", timeout=10).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or a worker still booting
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer within {seconds} s")


def measure(base_url, credentials, paths, orders: int, clients: int, rounds: int) -> list[dict]:
    samples, seconds = drive(base_url, credentials[:clients], paths, rounds)
    rows, total = summarise(samples, seconds)
    rows.append(total)
    for row in rows:
        print(json.dumps({"orders": orders, "clients": clients, **row}), flush=True)
    return rows


def print_ratios(small: dict, large: dict) -> None:
    """Each page's large/small p50 and p95, per number of clients."""
    for clients, (small_orders, small_rows) in small.items():
        large_orders, large_rows = large[clients]
        for before, after in zip(small_rows, large_rows, strict=True):
            if before["page"] == "total":
                continue
            ratio = {
                key: round(after[key] / before[key], 2) if before[key] else None
                for key in ("p50_ms", "p95_ms")
            }
            print(
                json.dumps(
                    {
                        "page": before["page"],
                        "clients": clients,
                        "orders": [small_orders, large_orders],
                        "p50_ratio": ratio["p50_ms"],
                        "p95_ratio": ratio["p95_ms"],
                    }
                ),
                flush=True,
            )


def run(world, orders: int, clients: int, rounds: int, compare: bool, log: Path) -> None:
    from benchmarks.lived_in import grow, load_users
    from orders.models import SalesOrder

    credentials = load_users(world, clients)
    sizes = [orders // 10, orders] if compare else [orders]
    measured = []
    for size in sizes:
        started = time.perf_counter()
        grow(world, size - SalesOrder.objects.count())
        analyse()
        print(
            json.dumps({"orders": size, "built_seconds": round(time.perf_counter() - started)}),
            flush=True,
        )
        paths = page_paths()
        with gunicorn(log) as base_url:
            drive(base_url, credentials[:3], paths)  # every worker loads its views: not measured
            measured.append(
                {
                    count: (
                        size,
                        measure(
                            base_url,
                            credentials,
                            paths,
                            size,
                            count,
                            rounds if count > 1 else max(rounds, ONE_CLIENT_ROUNDS),
                        ),
                    )
                    for count in dict.fromkeys([1, clients])
                }
            )
    if compare:
        print_ratios(*measured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="times each client opens a page")
    parser.add_argument("--compare", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--log", type=Path, default=Path("/tmp/benchmark-gunicorn.log"))
    add_server_argument(parser)
    args = parser.parse_args()
    with demo_world_in_scratch_database(args.server, args.template) as world:
        run(world, args.orders, args.clients, args.rounds, args.compare, args.log)


if __name__ == "__main__":
    main()
