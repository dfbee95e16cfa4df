"""Every process is safe to run twice at once (issue 11, item 4; acceptance 4): two runs of
the same process, each in its own thread and database connection, started together at
batch sizes 5, 25 and 500, both end Succeeded, every line is done once (the two runs'
``lines_done`` add up to the lines there were) and no document is made twice."""

from datetime import timedelta

import pytest
from django.db.models import Count, F
from django.utils import timezone

from b2b_portal.celery import app as celery_app
from invoicing.models import APInvoice, APStatus, ARInvoiceLine
from orchestration.demo import bulk_book_orders
from orders.models import LineStatus, SalesOrderLine
from processes.models import ProcessRun, RunStatus
from processes.registry import PROCESSES
from procurement.models import PurchaseOrderLine, RequisitionLine, SupplyOrder
from procurement.services import orders_progress
from shipping.models import Shipment, ShipmentLine, ShipmentStatus
from shipping.services import shipment_ship_confirm
from tests.locking.support import run_concurrently
from tests.web.procurement.support import purchase_orders_in_bulk, requisition_lines_in_bulk
from tests.web.shipping.support import ap_invoices_in_bulk, released_in_bulk

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Lines for the processes whose input is cheap to make in bulk, and for the two whose input
# is made one receipt, shipment or invoice at a time.
MANY, FEW = 100, 20
BATCH_SIZES = (5, 25, 500)


def booked(world):
    bulk_book_orders(world, count=MANY)
    return MANY


def open_supply_orders(world):
    bulk_book_orders(world, count=MANY)
    orders_progress(actor=world.users["manager"])
    return MANY


def approved_requisition_lines(world):
    requisition_lines_in_bulk(world, MANY)
    return MANY


def late_po_lines(world):
    purchase_orders_in_bulk(world, MANY, approve=True, lines_per_po=MANY)
    PurchaseOrderLine.objects.update(promised_date=timezone.localdate() - timedelta(days=1))
    return MANY


def shipped_lines(world):
    released_in_bulk(world, FEW)
    for shipment in Shipment.objects.filter(status=ShipmentStatus.RELEASED):
        shipment_ship_confirm(actor=world.users["shipper"], shipment=shipment)
    return FEW


def draft_ap_invoices(world):
    ap_invoices_in_bulk(world, FEW)
    return FEW


def once_per(model, field: str, expected: int) -> None:
    """``expected`` rows of ``model``, no two for the same ``field``."""
    assert model.objects.count() == expected
    assert not model.objects.values(field).annotate(n=Count("pk")).filter(n__gt=1).exists()


def each_line_has_one_supply_order(lines):
    once_per(SupplyOrder, "sales_order_line", lines)
    assert set(SalesOrderLine.objects.values_list("status", flat=True)) == {
        LineStatus.AWAITING_SUPPLY
    }


def each_supply_order_has_one_requisition_line(lines):
    once_per(RequisitionLine, "supply_order", lines)


def each_requisition_line_has_one_po_line(lines):
    once_per(PurchaseOrderLine, "requisition_line", lines)


def each_po_line_flagged(lines):
    assert PurchaseOrderLine.objects.filter(late_since=timezone.localdate()).count() == lines
    assert SalesOrderLine.objects.filter(at_risk=True).count() == lines


def each_shipment_line_billed_once(lines):
    once_per(ARInvoiceLine, "shipment_line", lines)
    assert ShipmentLine.objects.count() == lines
    assert not SalesOrderLine.objects.exclude(invoiced_quantity=F("quantity")).exists()


def each_ap_invoice_validated_once(invoices):
    assert APInvoice.objects.filter(status=APStatus.VALIDATED).count() == invoices
    # Validation adds the invoiced quantity to the PO line once: billed = the 1 invoiced.
    billed = PurchaseOrderLine.objects.filter(billed_quantity__gt=0)
    assert set(billed.values_list("billed_quantity", flat=True)) == {1}
    assert billed.count() == invoices


CASES = {
    "progress_order": (booked, each_line_has_one_supply_order),
    "generate_supply_orders": (open_supply_orders, each_supply_order_has_one_requisition_line),
    "autocreate_purchase_orders": (
        approved_requisition_lines,
        each_requisition_line_has_one_po_line,
    ),
    "late_supply": (late_po_lines, each_po_line_flagged),
    "autoinvoice_import": (shipped_lines, each_shipment_line_billed_once),
    "validate_ap_invoices": (draft_ap_invoices, each_ap_invoice_validated_once),
}


def test_every_process_is_covered():
    assert set(CASES) == set(PROCESSES)


def execute(run: ProcessRun) -> str:
    """The run's task, in this thread (eager): what a worker does with its message."""
    return celery_app.tasks[PROCESSES[run.process].task_name].apply(args=[run.pk]).get()


@pytest.mark.parametrize("process", sorted(CASES))
def test_two_runs_at_once_do_each_line_once(world, process):
    """One round per batch size on fresh input (one database flush per process, not three:
    the flush is most of a transactional test's time); the checks count every round so far."""
    make_input, assert_done_once = CASES[process]
    unit = world.units["US1"].pk
    lines = 0
    for batch_size in BATCH_SIZES:
        new_lines = make_input(world)
        lines += new_lines
        runs = [
            ProcessRun.objects.create(
                process=process, parameters={"batch_size": batch_size, "business_unit": unit}
            )
            for _ in range(2)
        ]

        outcomes = run_concurrently(*(lambda run=run: execute(run) for run in runs))

        assert outcomes == [RunStatus.SUCCEEDED, RunStatus.SUCCEEDED], batch_size
        runs = ProcessRun.objects.filter(pk__in=[run.pk for run in runs])
        assert [run.lines_failed for run in runs] == [0, 0], batch_size
        # Each line of the round done, by one run only.
        assert sum(run.lines_done for run in runs) == new_lines, batch_size
        assert_done_once(lines)
