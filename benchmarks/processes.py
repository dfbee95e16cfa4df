"""Benchmark of Order Import and the five scheduled processes on PostgreSQL.

    python -m benchmarks.processes --lines 10000

Builds the data in a scratch database (created and dropped here): ``--lines`` one-line
orders entered and booked by Order Import, ``--batch-size`` orders a call (timed), then
times each process over them and prints one JSON line per process: lines, seconds, lines per
second, SQL queries, queries per line and history rows written. The steps between the
processes (approving, receiving, shipping, entering AP invoices) run through their
services too, but are not measured.
"""

import argparse
import json
import time
from decimal import Decimal
from functools import partial

from benchmarks.scratch import (
    QueryCounter,
    add_server_argument,
    analyse,
    demo_world_in_scratch_database,
)


def history_rows() -> int:
    from django.apps import apps

    return sum(
        model.objects.count()
        for model in apps.get_models()
        if model.__name__.startswith("Historical")
    )


def measure(name: str, call, lines: int, examined: int | None = None) -> dict:
    """Time ``call`` over ``lines`` source lines, the tables' statistics gathered first;
    ``examined`` is how many rows the process walks when that is not one per line (AP
    validation walks invoices)."""
    from django.db import connection

    analyse()  # untimed: what the steps before wrote has its statistics, as on a server
    counter = QueryCounter()
    history_before = history_rows()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = call()
    seconds = time.perf_counter() - started
    expected = lines if examined is None else examined
    assert result.examined == expected, f"{name} examined {result.examined} of {expected}"
    report = {
        "process": name,
        "lines": lines,
        "seconds": round(seconds, 3),
        "lines_per_second": round(lines / seconds, 1),
        "queries": counter.count,
        "queries_per_line": round(counter.count / lines, 4),
        "history_rows": history_rows() - history_before,
        "documents_made": result.created,
        "failures": len(result.failures),
    }
    print(json.dumps(report), flush=True)
    return report


def run(world, lines: int, batch_size: int) -> list[dict]:
    """Book ``lines`` order lines by Order Import, then measure the processes in the order
    they meet them."""
    reports = [measure("Order Import", partial(import_orders, world, lines, batch_size), lines)]
    reports += measure_supply(world.users, lines, batch_size)
    carry_to_invoicing(world)
    return reports + measure_invoicing(world.users, lines, batch_size)


def import_orders(world, lines: int, batch_size: int):
    """``lines`` one-line orders of one server, ``batch_size`` to an Order Import, booked:
    the orders ``orchestration.demo.bulk_book_orders`` writes, through the service. The
    Progress Order runs the imports queue are dropped (left Queued): Progress Order is
    measured next, over every line."""
    from django.utils import timezone

    from orchestration.simulation import broker_held
    from orders.importing import OrderEntry, sales_orders_import
    from orders.services import OrderLineInput
    from processes.batching import ProcessResult

    unit, warehouse = world.units["US1"], world.warehouses["M1"]
    item = world.items["SRV-DL380-G11"]
    customers = [c for c in world.customers.values() if c.business_unit_id == unit.pk]
    result = ProcessResult()
    with broker_held() as held:
        for first in range(0, lines, batch_size):
            numbers = list(range(first, min(first + batch_size, lines)))
            imported = sales_orders_import(
                actor=world.users["clerk"],
                entries=[
                    OrderEntry(
                        business_unit=unit,
                        customer=customers[n % len(customers)],
                        warehouse=warehouse,
                        requested_date=timezone.localdate(),
                        lines=[OrderLineInput(item=item, quantity=Decimal(1))],
                    )
                    for n in numbers
                ],
                book=True,
                positions=numbers,
            )
            result.add(
                ProcessResult(
                    examined=len(imported.created) + len(imported.failed),
                    created=len(imported.created),
                )
            )
            for failure in imported.failed:
                result.fail(f"order {failure.index}", failure.message)
        held.clear()
    return result


def measure_supply(users, lines: int, batch_size: int) -> list[dict]:
    """Progress Order, Generate Supply Orders and AutoCreate, one after the other."""
    from procurement.services import (
        orders_progress,
        purchase_orders_autocreate,
        supply_orders_generate,
    )

    steps = [
        ("Progress Order", orders_progress, "manager"),
        ("Generate Supply Orders", supply_orders_generate, "buyer"),
        ("AutoCreate Purchase Orders", purchase_orders_autocreate, "buyer"),
    ]
    return [
        measure(name, partial(process, actor=users[role], batch_size=batch_size), lines)
        for name, process, role in steps
    ]


def carry_to_invoicing(world) -> None:
    """Not measured: approve and receive every PO, enter its AP invoice, ship everything."""
    from django.utils import timezone

    from invoicing.services import APLineInput, ap_invoice_create
    from procurement.models import POStatus, PurchaseOrder
    from procurement.services import purchase_order_approve, purchase_order_submit
    from receiving.services import ReceiptLineInput, receipt_create
    from shipping.models import Shipment
    from shipping.services import pick_release, shipment_ship_confirm

    users = world.users
    for purchase_order in PurchaseOrder.objects.filter(status=POStatus.DRAFT):
        purchase_order_submit(actor=users["buyer"], purchase_order=purchase_order)
        # Not the buyer: these POs are above the demo's approval limit.
        purchase_order = purchase_order_approve(actor=users["admin"], purchase_order=purchase_order)
        po_lines = list(purchase_order.lines.all())
        receipt_create(
            actor=users["receiver"],
            purchase_order=purchase_order,
            lines=[ReceiptLineInput(line, line.quantity) for line in po_lines],
        )
        ap_invoice_create(
            actor=users["ap"],
            purchase_order=purchase_order,
            supplier_invoice_number=f"BENCH-{purchase_order.pk}",
            invoice_date=timezone.localdate(),
            lines=[APLineInput(line, line.quantity) for line in po_lines],
        )
    pick_release(
        actor=users["shipper"], business_unit=world.units["US1"], warehouse=world.warehouses["M1"]
    )
    for shipment in Shipment.objects.all():
        shipment_ship_confirm(actor=users["shipper"], shipment=shipment)


def measure_invoicing(users, lines: int, batch_size: int) -> list[dict]:
    """Import AutoInvoice over the shipped lines, then Validate AP Invoices."""
    from invoicing.models import APInvoice, APInvoiceLine
    from invoicing.services import ap_invoices_validate, autoinvoice_import

    return [
        measure(
            "Import AutoInvoice",
            partial(autoinvoice_import, actor=users["ar"], batch_size=batch_size),
            lines,
        ),
        # An AP invoice carries up to 500 lines (one per PO line): chunks of a few invoices.
        measure(
            "Validate AP Invoices",
            partial(ap_invoices_validate, actor=users["ap"], batch_size=2),
            APInvoiceLine.objects.count(),
            examined=APInvoice.objects.count(),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10000)
    parser.add_argument("--batch-size", type=int, default=500)
    add_server_argument(parser)
    args = parser.parse_args()
    with demo_world_in_scratch_database(args.server, args.template) as world:
        run(world, args.lines, args.batch_size)


if __name__ == "__main__":
    main()
