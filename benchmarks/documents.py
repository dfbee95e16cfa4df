"""Queries per line of the per-document services, for a big document and a small one.

    python -m benchmarks.documents --lines 100 5

For each ``--lines`` one order of that many lines (all of one server, so that one PO, one
receipt, one shipment and one invoice of each kind carry every line) goes through the cycle
in a scratch database, as the demo users. Each per-document service is measured with
Django's ``CaptureQueriesContext``; the steps between them (Progress Order, Generate Supply
Orders, AutoCreate, submit and approve, AutoInvoice) run unmeasured, the Progress Order run
a booking queues included (a worker's, not the clerk's request's). One JSON line per
service: service, lines, queries, queries per line, seconds. A service that writes
set-based shows about the same queries for 5 lines and for 100; one that works line by line
shows 20 times more.
"""

import argparse
import json
import time
from decimal import Decimal

from benchmarks.scratch import add_server_argument, demo_world_in_scratch_database


def measure(name: str, lines: int, call):
    """``call()``'s result and its report: the statements it sent and its wall time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = call()
        seconds = time.perf_counter() - started
    return result, {
        "service": name,
        "lines": lines,
        "queries": len(captured),
        "queries_per_line": round(len(captured) / lines, 2),
        "seconds": round(seconds, 3),
    }


def measure_document(world, lines: int) -> list[dict]:
    """One ``lines``-line order through the cycle; a report per per-document service."""
    from django.utils import timezone

    from invoicing.models import ARInvoice
    from invoicing.services import (
        APLineInput,
        ap_invoice_create,
        ap_invoice_validate,
        ar_invoice_complete,
        autoinvoice_import,
    )
    from orchestration.simulation import broker_held
    from orders.services import OrderLineInput, sales_order_book, sales_order_create
    from procurement.models import PurchaseOrder
    from procurement.services import (
        orders_progress,
        purchase_order_approve,
        purchase_order_submit,
        purchase_orders_autocreate,
        supply_orders_generate,
    )
    from receiving.services import ReceiptLineInput, receipt_create
    from shipping.services import pick_release, shipment_ship_confirm

    users, unit, warehouse = world.users, world.units["US1"], world.warehouses["M1"]
    today = timezone.localdate()
    reports = []

    def measured(name, call):
        result, report = measure(name, lines, call)
        reports.append(report)
        return result

    def enter_and_book():
        order = sales_order_create(
            actor=users["clerk"],
            business_unit=unit,
            customer=world.customers["C-1001"],
            warehouse=warehouse,
            requested_date=today,
            lines=[OrderLineInput(item=world.items["SRV-DL380-G11"], quantity=Decimal(1))] * lines,
        )
        return sales_order_book(actor=users["clerk"], sales_order=order)

    # The Progress Order run the booking queues is a worker's, not the clerk's request's:
    # held, then left queued, and the order progressed unmeasured like the other steps.
    with broker_held() as queued:
        order = measured("sales_order_create + sales_order_book", enter_and_book)
    queued.clear()
    orders_progress(actor=users["manager"], sales_order=order)
    supply_orders_generate(actor=users["buyer"])
    purchase_orders_autocreate(actor=users["buyer"])
    purchase_order = PurchaseOrder.objects.get(
        lines__sales_order_line__order=order, lines__line_number=1
    )
    purchase_order_submit(actor=users["buyer"], purchase_order=purchase_order)
    # A PO of many servers is above any limit its own buyer may approve.
    purchase_order_approve(actor=users["admin"], purchase_order=purchase_order)
    po_lines = list(purchase_order.lines.order_by("line_number"))
    measured(
        "receipt_create",
        lambda: receipt_create(
            actor=users["receiver"],
            purchase_order=purchase_order,
            lines=[ReceiptLineInput(line, line.quantity) for line in po_lines],
        ),
    )
    wave = measured(
        "pick_release",
        lambda: pick_release(
            actor=users["shipper"], business_unit=unit, warehouse=warehouse, sales_order=order
        ),
    )
    shipment = wave.shipments.get()
    measured(
        "shipment_ship_confirm",
        lambda: shipment_ship_confirm(actor=users["shipper"], shipment=shipment),
    )
    invoice = measured(
        "ap_invoice_create",
        lambda: ap_invoice_create(
            actor=users["ap"],
            purchase_order=purchase_order,
            supplier_invoice_number=f"DOC-{purchase_order.pk}",
            invoice_date=today,
            lines=[APLineInput(line, line.quantity) for line in po_lines],
        ),
    )
    measured("ap_invoice_validate", lambda: ap_invoice_validate(actor=users["ap"], invoice=invoice))
    autoinvoice_import(actor=users["ar"])
    ar_invoice = ARInvoice.objects.get(sales_order=order)
    measured(
        "ar_invoice_complete", lambda: ar_invoice_complete(actor=users["ar"], invoice=ar_invoice)
    )
    return reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[100, 5])
    add_server_argument(parser)
    args = parser.parse_args()
    with demo_world_in_scratch_database(args.server, args.template) as world:
        for lines in args.lines:
            for report in measure_document(world, lines):
                print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
