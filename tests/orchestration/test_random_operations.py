"""Acceptance 7: after a random sequence of 200 operations on 20 orders (seeded, so a
failure can be replayed), every invariant of check_consistency holds. The sequence
includes every correction (issue 10): PO and requisition cancels, re-sourcing, un-release,
partial ship confirm, shipment reversal, AR cancel and credit, AP cancel and adjust."""

import random
from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone

from b2b_portal.errors import ApplicationError
from invoicing.models import (
    APInvoice,
    APInvoiceHold,
    APInvoiceLine,
    APStatus,
    ARInvoice,
    ARInvoiceLine,
    ARStatus,
    CreditDisposition,
    HoldReason,
)
from invoicing.services import (
    APLineInput,
    ap_invoice_adjust_to_received,
    ap_invoice_cancel,
    ap_invoice_create,
    ap_invoice_line_adjust,
    ap_invoice_validate,
    ar_credit_memo_create,
    ar_invoice_cancel,
    ar_invoice_complete,
    autoinvoice_import,
    whole_invoice_credit,
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
    SourcingRule,
    SupplyOrder,
    SupplyStatus,
)
from procurement.services import (
    CANCELLABLE_PO,
    orders_progress,
    purchase_order_approve,
    purchase_order_cancel,
    purchase_order_line_cancel,
    purchase_order_submit,
    purchase_orders_autocreate,
    purchase_orders_create_from_requisitions,
    requisition_line_cancel,
    supply_order_resource,
    supply_orders_generate,
)
from receiving.services import ReceiptLineInput, receipt_create
from shipping.corrections import pick_wave_unrelease, shipment_reverse, shipment_unrelease
from shipping.models import PickWave, Shipment, ShipmentStatus
from shipping.services import pick_release, shipment_ship_confirm
from tests.helpers import place_order

pytestmark = pytest.mark.django_db

OPEN_AP = [APStatus.DRAFT, APStatus.ON_HOLD]  # the AP invoices a correction may change
ITEMS = ["SRV-DL380-G11", "SRV-R760-XA", "STO-A400-96T", "STO-X70-R4", "CBL-CAT6-3M"]


class Operations:
    """Each operation picks its target at random and may be refused: a refusal is fine,
    a broken invariant is not."""

    def __init__(self, world, rng: random.Random):
        self.world, self.rng, self.users = world, rng, world.users
        self.orders = 0
        self.idle = False  # set when an operation found nothing to act on

    def pick(self, queryset):
        rows = list(queryset.order_by("pk"))
        self.idle = self.idle or not rows
        return self.rng.choice(rows) if rows else None

    def book(self):
        if self.orders >= 20:
            self.idle = True
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
            # Some stay released, for an un-release or a partial confirm to find.
            if self.rng.random() < 0.5:
                shipment_ship_confirm(actor=self.users["shipper"], shipment=shipment)

    def invoice(self):
        autoinvoice_import(actor=self.users["ar"])
        for invoice in ARInvoice.objects.filter(status=ARStatus.DRAFT):
            if self.rng.random() < 0.5:  # some drafts stay, for a cancel to find
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
        "book": 8,
        "change": 3,
        "cancel": 1,
        "supply": 3,
        "receive": 4,
        "close_short": 1,
        "ship": 2,
        "invoice": 2,
    }


class Corrections(Operations):
    """The corrections of issue 10, each on a random eligible document. ``generate``,
    ``release`` and ``ar_import`` stop halfway through ``supply``, ``ship`` and
    ``invoice`` so requisition lines, released shipments and draft invoices stay around
    for a correction to find."""

    def po_line_cancel(self):
        po_line = self.pick(PurchaseOrderLine.objects.filter(status=POLineStatus.OPEN))
        if po_line:
            purchase_order_line_cancel(
                actor=self.users["buyer"],
                purchase_order_line=po_line,
                reason="random line cancel",
                on_supplier_word=self.rng.random() < 0.5,
            )

    def po_cancel(self):
        purchase_order = self.pick(PurchaseOrder.objects.filter(status__in=CANCELLABLE_PO))
        if purchase_order:
            purchase_order_cancel(
                actor=self.users["buyer"],
                purchase_order=purchase_order,
                reason="random PO cancel",
                on_supplier_word=self.rng.random() < 0.5,
            )

    def generate(self):
        orders_progress(actor=self.users["manager"])
        supply_orders_generate(actor=self.users["buyer"])

    def requisition_cancel(self):
        line = self.pick(RequisitionLine.objects.filter(status=RequisitionStatus.APPROVED))
        if line:
            requisition_line_cancel(
                actor=self.users["buyer"],
                requisition_line=line,
                reason="random requisition cancel",
                hold=self.rng.random() < 0.5,
            )

    def resource(self):
        supply_order = self.pick(
            SupplyOrder.objects.filter(status__in=[SupplyStatus.OPEN, SupplyStatus.EXCEPTION])
        )
        if supply_order:
            rule = self.pick(SourcingRule.objects.filter(item_id=supply_order.item_id))
            supply_order_resource(
                actor=self.users["buyer"],
                supply_order=supply_order,
                sourcing_rule=rule,
                reason="random re-source",
            )

    def release(self):
        pick_release(
            actor=self.users["shipper"],
            business_unit=self.world.units["US1"],
            warehouse=self.world.warehouses["M1"],
        )

    def ship_partial(self):
        shipment = self.pick(Shipment.objects.filter(status=ShipmentStatus.RELEASED))
        if shipment:
            quantities = {
                line.pk: Decimal(self.rng.randint(1, int(line.quantity)))
                for line in shipment.lines.order_by("pk")
            }
            shipment_ship_confirm(
                actor=self.users["shipper"], shipment=shipment, quantities=quantities
            )

    def unrelease(self):
        shipment = self.pick(Shipment.objects.filter(status=ShipmentStatus.RELEASED))
        if shipment:
            shipment_unrelease(
                actor=self.users["shipper"], shipment=shipment, reason="random un-release"
            )

    def wave_unrelease(self):
        wave = self.pick(
            PickWave.objects.filter(shipments__status=ShipmentStatus.RELEASED).distinct()
        )
        if wave:
            pick_wave_unrelease(
                actor=self.users["shipper"], pick_wave=wave, reason="random wave un-release"
            )

    def reverse(self):
        billed = ARInvoiceLine.objects.still_billing().values("shipment_line__shipment_id")
        shipment = self.pick(
            Shipment.objects.filter(status=ShipmentStatus.SHIPPED).exclude(pk__in=billed)
        )
        if shipment:
            shipment_reverse(
                actor=self.users["shipper"], shipment=shipment, reason="random reversal"
            )

    def ar_import(self):
        autoinvoice_import(actor=self.users["ar"])

    def ar_cancel(self):
        invoice = self.pick(ARInvoice.objects.filter(status=ARStatus.DRAFT))
        if invoice:
            ar_invoice_cancel(actor=self.users["ar"], invoice=invoice, reason="random AR cancel")

    def ar_credit(self):
        invoice = self.pick(ARInvoice.objects.filter(status=ARStatus.COMPLETE))
        if invoice:
            disposition = self.rng.choice([CreditDisposition.REINVOICE, CreditDisposition.CLOSE])
            ar_credit_memo_create(
                actor=self.users["ar"],
                invoice=invoice,
                lines=whole_invoice_credit(invoice, disposition),
                reason="random credit",
            )

    def ap_cancel(self):
        invoice = self.pick(APInvoice.objects.filter(status__in=OPEN_AP))
        if invoice:
            ap_invoice_cancel(actor=self.users["ap"], invoice=invoice, reason="random AP cancel")

    def ap_adjust(self):
        line = self.pick(APInvoiceLine.objects.filter(invoice__status__in=OPEN_AP))
        if line:
            ap_invoice_line_adjust(
                actor=self.users["ap"],
                line=line,
                reason="random AP adjust",
                quantity=Decimal(self.rng.randint(1, 3)),
            )

    def ap_adjust_received(self):
        hold = self.pick(
            APInvoiceHold.objects.filter(
                reason=HoldReason.QUANTITY_BILLED_OVER_RECEIVED, released_at__isnull=True
            )
        )
        if hold:
            ap_invoice_adjust_to_received(
                actor=self.users["ap"], hold=hold, reason="random adjust to received"
            )

    WEIGHTS = {
        **Operations.WEIGHTS,
        "po_line_cancel": 1,
        "po_cancel": 1,
        "generate": 2,
        "requisition_cancel": 2,
        "resource": 1,
        "release": 2,
        "ship_partial": 1,
        "unrelease": 1,
        "wave_unrelease": 1,
        "reverse": 1,
        "ar_import": 1,
        "ar_cancel": 1,
        "ar_credit": 1,
        "ap_cancel": 1,
        "ap_adjust": 1,
        "ap_adjust_received": 1,
    }


@pytest.mark.slow
@pytest.mark.parametrize("seed", [7, 2026])
def test_200_random_operations_keep_every_invariant(world, seed):
    rng = random.Random(seed)
    operations = Corrections(world, rng)
    names = list(Corrections.WEIGHTS)
    done, refused, idle = Counter(), Counter(), Counter()
    for step in range(200):
        name = rng.choices(names, weights=[Corrections.WEIGHTS[n] for n in names])[0]
        operations.idle = False
        try:
            getattr(operations, name)()
            (idle if operations.idle else done)[name] += 1
        except ApplicationError as refusal:
            refused[name] += 1
            print(f"seed {seed} step {step} {name} refused: {refusal}")
        if step % 25 == 24:
            violations = check_consistency()
            assert violations == [], f"after step {step} ({name}), seed {seed}: {violations}"
    violations = check_consistency()
    assert violations == [], f"at the end, seed {seed}: {violations}"
    for counts in (done, refused, idle):
        print(f"seed {seed}: {sorted(counts.items())}")
    assert operations.orders == 20
    assert done.total() > refused.total()
    # The sequence reached every corner the invariants speak of.
    statuses = set(SalesOrderLine.objects.values_list("status", flat=True))
    assert {LineStatus.CANCELLED, LineStatus.CLOSED} <= statuses, statuses
    assert SalesOrderLine.objects.filter(split_from__isnull=False).exists()
