"""``simulate_cycle``: demo orders driven through all seven steps by the demo users.

It is the demo's data generator and the whole-cycle benchmark's driver. With ``mixed``
the orders are split into cohorts that stop at each earlier stage; cohorts run from the
most advanced to the least, so that a later cohort's process runs never move an earlier
cohort's orders on. The clerk books in bursts (``broker_held``): the bookings of a burst
share one queued Progress Order run, which a worker starts once the burst is booked, as a
worker behind a quick clerk does. Each step is timed and its statements counted
(``StepClock``) so the summary says which step is slow, in order lines per second and
statements per line; ``benchmarks/pages.py`` builds its data with ``run_to``.
"""

import random
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from unittest import mock

from django.db import connection
from django.utils import timezone

from b2b_portal.celery import app as celery_app
from catalog.units import business_units_of
from invoicing.models import APInvoice, ARInvoice, ARStatus
from invoicing.services import (
    APLineInput,
    ap_invoice_create,
    ap_invoices_validate,
    ar_invoices_complete,
    autoinvoice_import,
)
from orders.importing import OrderEntry, sales_orders_import
from orders.models import SalesOrder, SalesOrderLine
from orders.services import OrderLineInput, sales_order_book, sales_order_create
from procurement.models import (
    POStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    Requisition,
    RequisitionLine,
    RequisitionStatus,
    SupplyOrder,
)
from procurement.services import (
    orders_progress,
    purchase_order_approve,
    purchase_order_submit,
    purchase_orders_autocreate,
    purchase_orders_create_from_requisitions,
    supply_orders_generate,
)
from receiving.models import Receipt
from receiving.services import ReceiptLineInput, receipt_create
from shipping.models import PickWave, Shipment, ShipmentStatus
from shipping.selectors import lines_awaiting_release
from shipping.services import pick_release, pick_wave_ship_confirm

from .demo import DemoWorld, load_demo_data

# The stages an order can be left at, least advanced first; "closed" runs every step.
STAGES = ["entered", "booked", "requisitioned", "ordered", "received", "shipped", "closed"]
# Orders a clerk books (or a feed sends at once) before the worker starts the Progress Order
# run they share.
BURST = 50
# How orders come in: entered and booked one at a time by the clerk, or a feed's batches.
CLERK, IMPORT = "clerk", "import"
INTAKES = (CLERK, IMPORT)
# AP invoices (of up to a PO's lines each) matched together by one Validate AP Invoices chunk.
AP_VALIDATION_CHUNK = 10
# AR invoices completed together by one ``ar_invoices_complete`` call.
AR_COMPLETION_CHUNK = 100


@contextmanager
def broker_held():
    """Tasks sent inside the block wait, as on a broker, and a worker runs each once the
    block ends. In eager mode a run would start inside the commit that queued it: one
    Progress Order per booking, where a worker busy for a moment takes every booking made
    meanwhile in one run (``processes.services.process_run_queue_pending``). Yields the
    held tasks: a task taken out of the list never runs (its run stays Queued)."""
    held = []

    def send_task(name, args=None, kwargs=None, **options):
        held.append((name, args, kwargs))

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with mock.patch.object(celery_app, "send_task", send_task):
            yield held
    finally:
        celery_app.conf.task_always_eager = eager
    for name, args, kwargs in held:
        celery_app.tasks[name].apply(args=args, kwargs=kwargs)


def book_orders(
    world: DemoWorld,
    count: int,
    rng: random.Random,
    *,
    book: bool,
    unit_code: str = "US1",
    burst: int = BURST,
    intake: str = CLERK,
) -> int:
    """``count`` orders of 1 to 3 lines of the unit's Back-to-Back items, booked in bursts
    of ``burst`` orders; returns how many lines they have. The clerk enters and books them
    one at a time through the services, as the Create Order page does; ``intake="import"``
    sends each burst as one batch from the customer's system (``sales_orders_import``)."""
    unit = world.units[unit_code]
    warehouse = next(w for w in world.warehouses.values() if w.business_unit_id == unit.pk)
    items = [
        item
        for item in world.items.values()
        if item.business_unit_id == unit.pk and item.back_to_back_enabled
    ]
    customers = [c for c in world.customers.values() if c.business_unit_id == unit.pk]
    clerk = world.users["clerk"]
    made = 0
    for first in range(0, count, burst):
        entries = [
            OrderEntry(
                lines=[
                    OrderLineInput(item=item, quantity=Decimal(rng.randint(1, 3)))
                    for item in rng.sample(items, min(len(items), rng.randint(1, 3)))
                ],
                business_unit=unit,
                customer=rng.choice(customers),
                warehouse=warehouse,
                requested_date=timezone.localdate() + timedelta(days=rng.randint(14, 60)),
            )
            for _ in range(min(burst, count - first))
        ]
        with broker_held():
            if intake == IMPORT:
                imported = sales_orders_import(actor=clerk, entries=entries, book=book)
                assert not imported.failed, imported.failed
            else:
                for entry in entries:
                    order = sales_order_create(actor=clerk, **entry.as_arguments())
                    if book:
                        sales_order_book(actor=clerk, sales_order=order)
        made += sum(len(entry.lines) for entry in entries)
    return made


def _order_purchases(world: DemoWorld) -> None:
    buyer = world.users["buyer"]
    purchase_orders_autocreate(actor=buyer)
    manual = list(RequisitionLine.objects.filter(status=RequisitionStatus.APPROVED))
    if manual:
        purchase_orders_create_from_requisitions(actor=buyer, requisition_lines=manual)
    # Someone not its buyer approves, as a PO above its unit's limit needs: the administrator,
    # or the buyer for the administrator's own POs (EU1's item is the administrator's).
    approvers = [world.users["admin"], buyer]
    for purchase_order in PurchaseOrder.objects.filter(status=POStatus.DRAFT):
        purchase_order_submit(actor=buyer, purchase_order=purchase_order)
        approver = next(user for user in approvers if user.pk != purchase_order.buyer_id)
        purchase_order_approve(actor=approver, purchase_order=purchase_order)


def _receive_all(world: DemoWorld) -> None:
    for purchase_order in PurchaseOrder.objects.filter(status=POStatus.OPEN):
        receipt_create(
            actor=world.users["receiver"],
            purchase_order=purchase_order,
            lines=[
                ReceiptLineInput(purchase_order_line=line, quantity=line.open_quantity)
                for line in purchase_order.lines.filter(status="OPEN")
            ],
        )


def _ship_all(world: DemoWorld) -> None:
    shipper = world.users["shipper"]
    units = {unit.pk: unit for unit in business_units_of(shipper)}
    for warehouse in world.warehouses.values():
        unit = units.get(warehouse.business_unit_id)
        if unit and lines_awaiting_release(business_units=[unit], warehouse=warehouse).exists():
            pick_release(actor=shipper, business_unit=unit, warehouse=warehouse)
    # The whole wave leaves at once: its shipments are ship confirmed together.
    for wave in PickWave.objects.filter(shipments__status=ShipmentStatus.RELEASED).distinct():
        pick_wave_ship_confirm(actor=shipper, pick_wave=wave)


def _invoice_all(world: DemoWorld) -> None:
    ap = world.users["ap"]
    for purchase_order in PurchaseOrder.objects.filter(
        status=POStatus.CLOSED_FOR_RECEIVING, ap_invoices__isnull=True
    ):
        ap_invoice_create(
            actor=ap,
            purchase_order=purchase_order,
            supplier_invoice_number=f"SIM-{purchase_order.pk}",
            invoice_date=timezone.localdate(),
            lines=[
                APLineInput(purchase_order_line=line, quantity=line.received_quantity)
                for line in purchase_order.lines.all()
            ],
        )
    # The invoices entered are matched together, as the scheduled Validate AP Invoices does.
    ap_invoices_validate(actor=ap, batch_size=AP_VALIDATION_CHUNK)
    ar = world.users["ar"]
    autoinvoice_import(actor=ar)
    # The accountant completes the drafts together, a selection at a time.
    drafts = list(ARInvoice.objects.filter(status=ARStatus.DRAFT).order_by("pk"))
    for start in range(0, len(drafts), AR_COMPLETION_CHUNK):
        ar_invoices_complete(actor=ar, invoices=drafts[start : start + AR_COMPLETION_CHUNK])


class StepTally:
    """One step's order lines and the SQL statements it sent (a count the machine's load
    does not change, unlike its seconds)."""

    def __init__(self, lines: int):
        self.lines = lines
        self.statements = 0

    def __call__(self, execute, sql, params, many, context):
        self.statements += 1
        return execute(sql, params, many, context)


class StepClock:
    """Seconds, order lines and statements per step, summed over the cohorts that ran it.

    With ``analyse`` the planner's statistics are gathered after each step, untimed, as
    autovacuum keeps them on a server: PostgreSQL's autovacuum may be off (it is on the
    team's machines), and a fresh database without statistics guesses 3 shipped shipments
    among 2,000, so AutoInvoice at N=2000 read every shipment for each chunk (``closed``
    at 416 lines/s against 820 at N=200; docs/benchmarks.md)."""

    def __init__(self, analyse: bool = False):
        self.seconds = defaultdict(float)
        self.lines = defaultdict(int)
        self.statements = defaultdict(int)
        self.analyse = analyse and connection.vendor == "postgresql"

    @contextmanager
    def step(self, name: str, lines: int = 0):
        """Time the block as ``lines`` order lines; the block may set the tally's lines."""
        tally = StepTally(lines)
        started = time.perf_counter()
        with connection.execute_wrapper(tally):
            yield tally
        self.seconds[name] += time.perf_counter() - started
        self.lines[name] += tally.lines
        self.statements[name] += tally.statements
        if self.analyse:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def total_seconds(self) -> float:
        """The steps' seconds: the run without the statistics gathered between them."""
        return sum(self.seconds.values())

    def summary(self) -> dict:
        return {
            name: {
                "lines": self.lines[name],
                "seconds": round(seconds, 3),
                "lines_per_second": round(self.lines[name] / seconds, 1) if seconds else None,
                "statements_per_line": round(self.statements[name] / self.lines[name], 2)
                if self.lines[name]
                else None,
            }
            for name, seconds in self.seconds.items()
        }


def run_to(world: DemoWorld, stage: str, clock: StepClock | None = None, lines: int = 0) -> None:
    """Move every open document as far as ``stage`` through the services; ``clock`` times
    each step as ``lines`` order lines."""
    clock = clock or StepClock()
    steps = [
        (
            "requisitioned",
            lambda: (
                orders_progress(actor=world.users["manager"]),
                supply_orders_generate(actor=world.users["buyer"]),
            ),
        ),
        ("ordered", lambda: _order_purchases(world)),
        ("received", lambda: _receive_all(world)),
        ("shipped", lambda: _ship_all(world)),
        ("closed", lambda: _invoice_all(world)),
    ]
    for step_stage, step in steps:
        if STAGES.index(step_stage) > STAGES.index(stage):
            return
        with clock.step(step_stage, lines):
            step()


def cohorts(orders: int, mixed: bool) -> list[tuple[str, int]]:
    if not mixed:
        return [("closed", orders)]
    sizes = [orders // len(STAGES)] * len(STAGES)
    sizes[-1] += orders - sum(sizes)
    return [
        (stage, size) for stage, size in zip(reversed(STAGES), reversed(sizes), strict=True) if size
    ]


def simulate_cycle(
    *, orders: int, mixed: bool = False, seed: int = 1, burst: int = BURST, intake: str = CLERK
) -> dict:
    """Run ``orders`` demo orders through the cycle, booked in bursts of ``burst`` by
    ``intake``, and summarise what was made."""
    world = load_demo_data()
    rng = random.Random(seed)
    first_new_order = (
        SalesOrder.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    counts_before = _document_counts()
    clock = StepClock(analyse=True)
    for stage, size in cohorts(orders, mixed):
        book = stage != "entered"
        with clock.step("booked" if book else "entered") as booking:
            booking.lines = lines = book_orders(
                world, size, rng, book=book, burst=burst, intake=intake
            )
        if stage not in ("entered", "booked"):
            run_to(world, stage, clock, lines)
    seconds = clock.total_seconds()
    counts_after = _document_counts()
    lines = SalesOrderLine.objects.filter(order_id__gte=first_new_order)
    return {
        "orders": orders,
        "mixed": mixed,
        "burst": burst,
        "intake": intake,
        "documents": {name: counts_after[name] - counts_before[name] for name in counts_after},
        "lines_by_status": dict(Counter(lines.values_list("status", flat=True))),
        "seconds": round(seconds, 3),
        "lines_per_second": round(
            (counts_after["sales_order_lines"] - counts_before["sales_order_lines"]) / seconds, 1
        )
        if seconds
        else None,
        "steps": clock.summary(),
    }


def _document_counts() -> dict[str, int]:
    models = {
        "sales_orders": SalesOrder,
        "sales_order_lines": SalesOrderLine,
        "supply_orders": SupplyOrder,
        "requisitions": Requisition,
        "requisition_lines": RequisitionLine,
        "purchase_orders": PurchaseOrder,
        "purchase_order_lines": PurchaseOrderLine,
        "receipts": Receipt,
        "shipments": Shipment,
        "ap_invoices": APInvoice,
        "ar_invoices": ARInvoice,
    }
    return {name: model.objects.count() for name, model in models.items()}
