"""Benchmark of list exports (CSV and XLSX) on PostgreSQL: time and peak memory.

    python -m benchmarks.exports --rows 5000 50000

Books the largest ``--rows`` one-line orders in bulk (``orchestration.demo.bulk_book_orders``)
in a scratch database (created and dropped here), in steps, and after each step downloads
Manage Orders as the clerk in both formats through the test client, reading the whole
response. Each export runs twice: once timed (wall and this process's CPU seconds; the
database's work is in the wall time only), once under ``tracemalloc`` for the peak of
Python memory it allocated (tracemalloc slows Python down, so it is not timed). One JSON
line per export: format, rows, seconds, cpu_seconds, rows per second, peak MiB, file MiB.
"""

import argparse
import json
import time
import tracemalloc

from benchmarks.scratch import add_server_argument, demo_world_in_scratch_database


def download(client, fmt: str) -> int:
    """The export's size in bytes, read to its end as a browser would."""
    response = client.get("/orders/", {"export": fmt})
    assert response.status_code == 200, response.status_code
    size = sum(len(chunk) for chunk in response.streaming_content)
    response.close()
    return size


def measure(client, fmt: str, rows: int) -> dict:
    started, cpu_started = time.perf_counter(), time.process_time()
    size = download(client, fmt)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    tracemalloc.start()
    download(client, fmt)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "format": fmt,
        "rows": rows,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "rows_per_second": round(rows / seconds),
        "peak_mib": round(peak / 2**20, 2),
        "file_mib": round(size / 2**20, 2),
    }


def run(world, steps: list[int]) -> list[dict]:
    from django.test import Client

    from orchestration.demo import bulk_book_orders
    from orders.models import SalesOrder

    client = Client(SERVER_NAME="localhost")  # one of the default ALLOWED_HOSTS
    client.force_login(world.users["clerk"])
    download(client, "csv")  # the first request imports every view: not part of a figure
    results = []
    for rows in sorted(steps):
        bulk_book_orders(world, count=rows - SalesOrder.objects.count())
        for fmt in ("csv", "xlsx"):
            results.append(measure(client, fmt, rows))
            print(json.dumps(results[-1]), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[5000, 50000])
    add_server_argument(parser)
    args = parser.parse_args()
    with demo_world_in_scratch_database(args.server, args.template) as world:
        run(world, args.rows)


if __name__ == "__main__":
    main()
