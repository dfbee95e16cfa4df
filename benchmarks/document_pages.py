"""Render time of the document pages of one big document (issue 13: long document pages).

    python -m benchmarks.document_pages --lines 500

One ``--lines``-line order goes through the cycle in a scratch database
(``benchmarks.documents.measure_document``: one PO, receipt, shipment, AP and AR invoice
carry every line). Then the administrator requests each of its document pages through
Django's test client, once to warm up and ``--repeat`` times measured with
``time.perf_counter``. One JSON line per page: lines, queries, median and best ms, size.
"""

import argparse
import json
import statistics
import time

from benchmarks.scratch import add_server_argument, demo_world_in_scratch_database


def document_pages(world) -> dict[str, str]:
    """The address of each document page of the newest order's documents."""
    from django.urls import reverse

    from invoicing.models import APInvoice, ARInvoice
    from orders.models import SalesOrder
    from receiving.models import Receipt
    from shipping.models import Shipment

    order = SalesOrder.objects.latest("pk")
    ap_invoice = APInvoice.objects.latest("pk")
    return {
        "orders:detail": reverse("orders:detail", args=[order.pk]),
        "procurement:po_detail": reverse(
            "procurement:po_detail", args=[ap_invoice.purchase_order_id]
        ),
        "receiving:receipt_detail": reverse(
            "receiving:receipt_detail", args=[Receipt.objects.latest("pk").pk]
        ),
        "shipping:shipment_detail": reverse(
            "shipping:shipment_detail", args=[Shipment.objects.latest("pk").pk]
        ),
        "invoicing:ap_detail": reverse("invoicing:ap_detail", args=[ap_invoice.pk]),
        "invoicing:ar_detail": reverse(
            "invoicing:ar_detail", args=[ARInvoice.objects.get(sales_order=order).pk]
        ),
    }


def measure_page(client, url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm-up: templates compiled, caches filled
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
    return {
        "queries": len(captured),
        "median_ms": round(statistics.median(times), 1),
        "best_ms": round(min(times), 1),
        "kb": round(len(response.content) / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    add_server_argument(parser)
    args = parser.parse_args()
    with demo_world_in_scratch_database(args.server, args.template) as world:
        from django.conf import settings
        from django.test import Client

        # The test client's host; not setup_test_environment(), whose template
        # instrumentation would be measured too.
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

        from benchmarks.documents import measure_document

        measure_document(world, args.lines)
        client = Client()
        client.force_login(world.users["admin"])
        for page, url in document_pages(world).items():
            report = measure_page(client, url, args.repeat)
            print(json.dumps({"page": page, "lines": args.lines, **report}), flush=True)


if __name__ == "__main__":
    main()
