"""The benchmarks' measuring parts work (issue 13): the query count of the per-document
services and the page load driver. They assert what is counted, never how fast."""

import pytest
from django.urls import reverse

from b2b_portal.roles import DEMO_PASSWORD
from benchmarks.documents import measure_document
from benchmarks.load import drive, summarise
from benchmarks.processes import run as run_processes
from orders.models import LineStatus, SalesOrderLine
from processes.models import ProcessRun, RunStatus

SERVICES = [
    "sales_order_create + sales_order_book",
    "receipt_create",
    "pick_release",
    "shipment_ship_confirm",
    "ap_invoice_create",
    "ap_invoice_validate",
    "ar_invoice_complete",
]


@pytest.mark.django_db
def test_documents_benchmark_counts_the_queries_of_each_service_on_a_two_line_document(world):
    reports = measure_document(world, 2)

    assert [report["service"] for report in reports] == SERVICES
    for report in reports:
        assert set(report) == {"service", "lines", "queries", "queries_per_line", "seconds"}
        assert report["lines"] == 2
        assert report["queries"] > 0, report
        assert report["queries_per_line"] == round(report["queries"] / 2, 2)


@pytest.mark.django_db
def test_processes_benchmark_imports_the_orders_then_runs_each_process_over_them(world):
    reports = run_processes(world, lines=5, batch_size=2)

    assert [(report["process"], report["lines"], report["failures"]) for report in reports] == [
        ("Order Import", 5, 0),
        ("Progress Order", 5, 0),
        ("Generate Supply Orders", 5, 0),
        ("AutoCreate Purchase Orders", 5, 0),
        ("Import AutoInvoice", 5, 0),
        ("Validate AP Invoices", 5, 0),
    ]
    assert reports[0]["documents_made"] == 5
    assert reports[0]["history_rows"] == 5 + 5  # headers and lines: imported and booked
    # The imports joined their unit's queued Progress Order run, left Queued: the benchmark
    # ran the process itself, over every line.
    assert list(ProcessRun.objects.values_list("status", flat=True)) == [RunStatus.QUEUED]
    assert set(SalesOrderLine.objects.values_list("status", flat=True)) == {LineStatus.BILLED}


def test_load_driver_counts_every_request_of_two_signed_in_clients(live_server, users):
    pages = {"dashboard": reverse("home"), "orders": reverse("orders:list")}

    samples, seconds = drive(live_server.url, [("clerk", DEMO_PASSWORD)] * 2, pages, rounds=2)
    rows, total = summarise(samples, seconds)

    assert [(row["page"], row["requests"], row["errors"]) for row in rows] == [
        ("dashboard", 4, 0),
        ("orders", 4, 0),
    ]
    assert (total["requests"], total["errors"]) == (8, 0)
    assert total["requests_per_second"] > 0
