"""Benchmark of the home dashboard against history: does its cost follow the open work?

    python -m benchmarks.dashboard --open 700 --history 5000 50000

Builds a lived-in scratch database of ``--open`` orders (``benchmarks.lived_in``: a cohort
left at every stage), then for each ``--history`` adds closed one-line orders up to that
many and renders the home page as the administrator (every unit, every role) through the
test client ``--repeat`` times. The closed lines are booked in bulk and moved to Closed by
one UPDATE (no history rows: only the lines' table grows, the open work stays the same).
One JSON line per level: the page's p50 and p95, its queries, the database's time for its
reads (EXPLAIN ANALYZE, median of ``--repeat``), the pages they touched, and the slowest
of them; with ``--explain`` their plans as well. Not a test:
nothing fails on a figure.
"""

import argparse
import json
import statistics
import time

from benchmarks.scratch import add_server_argument, demo_world_in_scratch_database

CHUNK = 5000
SLOWEST = 3


class Statements:
    """A ``connection.execute_wrapper`` that keeps the statements sent."""

    def __init__(self):
        self.sent: list[tuple[str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        self.sent.append((sql, params))
        return execute(sql, params, many, context)


def add_closed_history(world, lines: int) -> None:
    """``lines`` closed one-line orders: what years of finished business leave behind."""
    from django.db import connection
    from django.db.models import F

    from orchestration.demo import bulk_book_orders
    from orders.models import LineStatus, SalesOrderLine

    while lines > 0:
        made = bulk_book_orders(world, count=min(CHUNK, lines))
        SalesOrderLine.objects.filter(pk__in=[line.pk for line in made]).update(
            status=LineStatus.CLOSED,
            shipped_quantity=F("quantity"),
            invoiced_quantity=F("quantity"),
        )
        lines -= len(made)
    # What autovacuum does soon after: the UPDATE left a dead index entry per line moved.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def measure(repeat: int, explain: bool) -> dict:
    """The home page as the administrator, ``repeat`` times after one warm-up; then each of
    its reads ``repeat`` times under EXPLAIN ANALYZE, for the database's own time (on a
    shared machine the round trips are mostly the other processes' noise)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings

    from orders.models import LineStatus, SalesOrderLine

    client = Client()
    client.force_login(administrator())
    statements = Statements()
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        with connection.execute_wrapper(statements):
            client.get("/")
        walls = []
        for _ in range(repeat):
            started = time.perf_counter()
            assert client.get("/").status_code == 200
            walls.append((time.perf_counter() - started) * 1000)
    reads = [(sql, params) for sql, params in statements.sent if sql.lstrip("(")[:6] == "SELECT"]
    timed = sorted(
        ((*server_time(sql, params, repeat), sql, params) for sql, params in reads),
        key=lambda read: -read[0],
    )
    result = {
        "lines": SalesOrderLine.objects.count(),
        "closed_lines": SalesOrderLine.objects.filter(status=LineStatus.CLOSED).count(),
        "p50_ms": round(statistics.median(walls), 1),
        "p95_ms": round(sorted(walls)[int(0.95 * (len(walls) - 1))], 1),
        "queries": len(statements.sent),
        "server_ms": round(sum(ms for ms, *_ in timed), 2),
        "pages_read": sum(pages for _, pages, *_ in timed),
        "slowest": [
            {"ms": round(ms, 2), "pages": pages, "sql": sql[:120]}
            for ms, pages, sql, _ in timed[:SLOWEST]
        ],
    }
    if explain:
        with connection.cursor() as cursor:
            for *_, sql, params in timed[:SLOWEST]:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                print("\n".join(row for (row,) in cursor.fetchall()), end="\n\n")
    return result


def server_time(sql: str, params, repeat: int) -> tuple[float, int]:
    """The database's median execution time of one read in ms, and the pages (8 kB
    blocks) it touched: a count that the machine's load does not blur."""
    from django.db import connection

    times, pages = [], 0
    with connection.cursor() as cursor:
        for _ in range(repeat):
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params)
            [plan] = cursor.fetchone()[0]
            times.append(plan["Execution Time"])
            pages = plan["Plan"]["Shared Hit Blocks"] + plan["Plan"]["Shared Read Blocks"]
    return statistics.median(times), pages


def administrator():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="admin")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_server_argument(parser)
    parser.add_argument("--open", type=int, default=700, help="orders left at every stage")
    parser.add_argument("--history", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    with demo_world_in_scratch_database(args.server, args.template) as world:
        from benchmarks.lived_in import grow

        grow(world, args.open)
        added = 0
        for history in sorted(args.history):
            add_closed_history(world, history - added)
            added = history
            print(json.dumps({"history": history, **measure(args.repeat, args.explain)}))


if __name__ == "__main__":
    main()
