"""Acceptance 7: after a random sequence of 200 operations on 20 orders (seeded, so a
failure can be replayed), every invariant of check_consistency holds."""

import random
from decimal import Decimal

import pytest
from django.utils import timezone

from b2b_portal.errors import ApplicationError
from invoicing.models import APInvoice, ARInvoice, ARStatus
from invoicing.services import (
    APLineInput,
    ap_invoice_create,
    ap_invoice_validate,
    ar_invoice_complete,
    autoinvoice_import,
)
from orchestration.consistency import check_consistency
from orchestration.services import (
    Remainder,
    purchase_order_line_close_short,
    sales_order_line_cancel,
    sales_order_line_change_quantity,
)
from orders.models import LineStatus, SalesOrderLine
from procurement.models import (
    POLineStatus,
    POStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    RequisitionLine,
    RequisitionStatus,
)
from procurement.services import (
    orders_progress,
    purchase_order_approve,
    purchase_order_submit,
    purchase_orders_autocreate,
    purchase_orders_create_from_requisitions,
    supply_orders_generate,
)
from receiving.services import ReceiptLineInput, receipt_create
from shipping.models import Shipment, ShipmentStatus
from shipping.services import pick_release, shipment_ship_confirm
from tests.helpers import place_order

pytestmark = pytest.mark.django_db

ITEMS = ["SRV-DL380-G11", "SRV-R760-XA", "STO-A400-96T", "STO-X70-R4", "CBL-CAT6-3M"]


class Operations:
    """Each operation picks its target at random and may be refused: a refusal is fine,
    a broken invariant is not."""

    def __init__(self, world, rng: random.Random):
        self.world, self.rng, self.users = world, rng, world.users
        self.orders = 0

    def pick(self, queryset):
        rows = list(queryset.order_by("pk"))
        return self.rng.choice(rows) if rows else None

    def book(self):
        if self.orders >= 20:
            return
        lines = [
            (self.rng.choice(ITEMS), str(self.rng.randint(1, 4)))
            for _ in range(self.rng.randint(1, 3))
        ]
        place_order(self.world, *lines)
        self.orders += 1

    def change(self):
        line = self.pick(SalesOrderLine.objects.all())
        if line:
            sales_order_line_change_quantity(
                actor=self.users["clerk"],
                sales_order_line=line,
                quantity=Decimal(self.rng.randint(1, 5)),
                reason="random change",
            )

    def cancel(self):
        line = self.pick(SalesOrderLine.objects.all())
        if line:
            sales_order_line_cancel(
                actor=self.users["clerk"], sales_order_line=line, reason="random cancel"
            )

    def supply(self):
        orders_progress(actor=self.users["manager"])
        supply_orders_generate(actor=self.users["buyer"])
        purchase_orders_autocreate(actor=self.users["buyer"])
        manual = list(RequisitionLine.objects.filter(status=RequisitionStatus.APPROVED))
        if manual:
            purchase_orders_create_from_requisitions(
                actor=self.users["buyer"], requisition_lines=manual
            )
        for purchase_order in PurchaseOrder.objects.filter(status=POStatus.DRAFT):
            purchase_order_submit(actor=self.users["buyer"], purchase_order=purchase_order)
            purchase_order_approve(actor=self.users["buyer"], purchase_order=purchase_order)

    def receive(self):
        po_line = self.pick(
            PurchaseOrderLine.objects.filter(
                status=POLineStatus.OPEN, purchase_order__status=POStatus.OPEN
            )
        )
        if po_line:
            quantity = Decimal(self.rng.randint(1, int(po_line.open_quantity) + 1))
            receipt_create(
                actor=self.users["receiver"],
                purchase_order=po_line.purchase_order,
                lines=[ReceiptLineInput(po_line, quantity)],
            )

    def close_short(self):
        po_line = self.pick(
            PurchaseOrderLine.objects.filter(status=POLineStatus.OPEN, received_quantity__gt=0)
        )
        if po_line:
            purchase_order_line_close_short(
                actor=self.users["buyer"],
                purchase_order_line=po_line,
                remainder=self.rng.choice([Remainder.RESUPPLY, Remainder.CANCEL]),
                reason="random short",
            )

    def ship(self):
        pick_release(
            actor=self.users["shipper"],
            business_unit=self.world.units["US1"],
            warehouse=self.world.warehouses["M1"],
        )
        for shipment in Shipment.objects.filter(status=ShipmentStatus.RELEASED):
            shipment_ship_confirm(actor=self.users["shipper"], shipment=shipment)

    def invoice(self):
        autoinvoice_import(actor=self.users["ar"])
        for invoice in ARInvoice.objects.filter(status=ARStatus.DRAFT):
            ar_invoice_complete(actor=self.users["ar"], invoice=invoice)
        po_line = self.pick(
            PurchaseOrderLine.objects.filter(received_quantity__gt=0, ap_invoice_lines__isnull=True)
        )
        if po_line:
            invoice = ap_invoice_create(
                actor=self.users["ap"],
                purchase_order=po_line.purchase_order,
                supplier_invoice_number=f"R-{APInvoice.objects.count() + 1}",
                invoice_date=timezone.localdate(),
                lines=[APLineInput(po_line, Decimal(self.rng.randint(1, 3)))],
            )
            ap_invoice_validate(actor=self.users["ap"], invoice=invoice)

    WEIGHTS = {
        "book": 4,
        "change": 3,
        "cancel": 1,
        "supply": 3,
        "receive": 4,
        "close_short": 1,
        "ship": 2,
        "invoice": 2,
    }


@pytest.mark.slow
@pytest.mark.parametrize("seed", [7, 2026])
def test_200_random_operations_keep_every_invariant(world, seed):
    rng = random.Random(seed)
    operations = Operations(world, rng)
    names = list(Operations.WEIGHTS)
    done, refused = 0, 0
    for step in range(200):
        name = rng.choices(names, weights=[Operations.WEIGHTS[n] for n in names])[0]
        try:
            getattr(operations, name)()
            done += 1
        except ApplicationError:
            refused += 1
        if step % 25 == 24:
            violations = check_consistency()
            assert violations == [], f"after step {step} ({name}), seed {seed}: {violations}"
    assert operations.orders == 20
    assert done > refused
    # The sequence reached every corner the invariants speak of.
    statuses = set(SalesOrderLine.objects.values_list("status", flat=True))
    assert {LineStatus.CANCELLED, LineStatus.CLOSED} <= statuses, statuses
    assert SalesOrderLine.objects.filter(split_from__isnull=False).exists()
