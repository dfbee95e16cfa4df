"""AP and AR services lock only their own rows; the same supplier invoice entered twice at
once is entered once and the other clerk is told so; validation run twice at once places
its holds once; an AR invoice completed twice at once closes its lines once."""

from decimal import Decimal

import pytest
from django.db import IntegrityError

from b2b_portal.errors import TransitionRefused
from invoicing.exceptions import DUPLICATE_SUPPLIER_INVOICE, DuplicateSupplierInvoice
from invoicing.models import APInvoice, APInvoiceHold, APStatus, ARInvoice, ARStatus, HoldReason
from invoicing.services import (
    ap_invoice_hold_release,
    ap_invoice_pay,
    ap_invoice_validate,
    ar_invoice_complete,
    autoinvoice_import,
)
from orders.models import LineStatus, SalesOrderLine
from procurement.models import PurchaseOrderLine
from tests.helpers import enter_ap_invoice, receive, ship
from tests.locking.interleaving import uncommitted_meanwhile
from tests.locking.support import (
    assert_locks_only_own_rows,
    lock_order,
    locking_statements,
    run_concurrently,
)

SERVER = "SRV-DL380-G11"
AP_VALIDATION_ORDER = [
    "invoicing_apinvoice",
    "procurement_purchaseorder",
    "procurement_purchaseorderline",
    "invoicing_apinvoicehold",
]


def validate(world, invoice):
    return ap_invoice_validate(actor=world.users["ap"], invoice=invoice)


def ar_invoice(world, drive_to_po) -> ARInvoice:
    """An order of two lines received, shipped and imported: one draft AR invoice."""
    order, po_lines = drive_to_po((SERVER, "1"), ("SRV-R760-XA", "2"))
    for po_line in po_lines:
        receive(world, po_line, po_line.quantity)
    ship(world)
    autoinvoice_import(actor=world.users["ar"])
    return ARInvoice.objects.get(sales_order=order)


@pytest.mark.django_db
def test_ap_invoice_create_locks_only_its_purchase_order(world, drive_to_po):
    _, [po_line] = drive_to_po((SERVER, "2"))

    statements = locking_statements(lambda: enter_ap_invoice(world, po_line, "2"))

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == ["procurement_purchaseorder"]
    assert APInvoice.objects.get().status == APStatus.DRAFT


@pytest.mark.django_db
def test_ap_invoice_validate_locks_only_its_own_rows_in_the_documented_order(world, drive_to_po):
    _, [po_line] = drive_to_po((SERVER, "2"))
    receive(world, po_line, "2")
    invoice = enter_ap_invoice(world, po_line, "2")

    statements = locking_statements(lambda: validate(world, invoice))

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == AP_VALIDATION_ORDER
    po_line.refresh_from_db()
    assert (APInvoice.objects.get().status, po_line.billed_quantity) == (
        APStatus.VALIDATED,
        Decimal("2"),
    )


@pytest.mark.django_db
def test_ap_hold_release_locks_the_invoice_then_the_hold_then_matches_again(world, drive_to_po):
    _, [po_line] = drive_to_po((SERVER, "1"))
    receive(world, po_line, "1")
    invoice = validate(
        world, enter_ap_invoice(world, po_line, "1", unit_price=po_line.unit_price * 2)
    )
    hold = invoice.holds.get(reason=HoldReason.PRICE_OVER_PO)

    statements = locking_statements(
        lambda: ap_invoice_hold_release(actor=world.users["ap"], hold=hold, reason="agreed")
    )

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == [
        "invoicing_apinvoice",
        "invoicing_apinvoicehold",
        "procurement_purchaseorder",
        "procurement_purchaseorderline",
    ]
    invoice.refresh_from_db()
    assert invoice.status == APStatus.VALIDATED


@pytest.mark.django_db
def test_ap_invoice_pay_locks_only_the_invoice(world, drive_to_po):
    _, [po_line] = drive_to_po((SERVER, "1"))
    receive(world, po_line, "1")
    invoice = validate(world, enter_ap_invoice(world, po_line, "1"))

    statements = locking_statements(
        lambda: ap_invoice_pay(actor=world.users["ap"], invoice=invoice)
    )

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == ["invoicing_apinvoice"]
    assert APInvoice.objects.get().status == APStatus.PAID


@pytest.mark.django_db
def test_ar_complete_locks_the_invoice_then_its_lines(world, drive_to_po):
    invoice = ar_invoice(world, drive_to_po)

    statements = locking_statements(
        lambda: ar_invoice_complete(actor=world.users["ar"], invoice=invoice)
    )

    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == ["invoicing_arinvoice", "orders_salesorderline"]
    assert set(invoice.sales_order.lines.values_list("status", flat=True)) == {LineStatus.CLOSED}


@pytest.mark.django_db
def test_autoinvoice_locks_shipment_lines_then_their_sales_order_lines(world, drive_to_po):
    order, [po_line] = drive_to_po((SERVER, "1"))
    receive(world, po_line, "1")
    ship(world)

    statements = locking_statements(lambda: autoinvoice_import(actor=world.users["ar"]))

    assert_locks_only_own_rows(statements)
    # Then, in chunks of their own, the credited quantities to bill again (none here).
    assert lock_order(statements) == [
        "shipping_shipmentline",
        "orders_salesorderline",
        "invoicing_arcreditmemoline",
    ]
    assert order.lines.get().status == LineStatus.BILLED


@pytest.mark.django_db(transaction=True)
def test_the_same_supplier_invoice_entered_twice_at_once_is_entered_once(world, drive_to_po):
    # Two POs of one supplier: nothing but the unique constraint stands between the two.
    _, [first] = drive_to_po((SERVER, "1"))
    _, [second] = drive_to_po((SERVER, "1"))
    assert first.purchase_order.supplier == second.purchase_order.supplier

    outcomes = run_concurrently(
        lambda: enter_ap_invoice(world, first, "1", number="INV-77"),
        lambda: enter_ap_invoice(world, second, "1", number="INV-77"),
    )

    [entered] = [outcome for outcome in outcomes if isinstance(outcome, APInvoice)]
    [refused] = [outcome for outcome in outcomes if isinstance(outcome, DuplicateSupplierInvoice)]
    supplier = first.purchase_order.supplier
    assert refused.message == DUPLICATE_SUPPLIER_INVOICE.format(number="INV-77", supplier=supplier)
    assert list(APInvoice.objects.values_list("pk", "supplier_invoice_number")) == [
        (entered.pk, "INV-77")
    ]
    assert entered.lines.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_invoice_committed_between_the_check_and_the_insert_is_refused_by_the_constraint(
    world, drive_to_po
):
    """The other clerk's invoice is saved but not committed when this one checks for a
    duplicate; this insert waits on the unique index, then fails: a message, not a 500."""
    _, [first] = drive_to_po((SERVER, "1"))
    _, [second] = drive_to_po((SERVER, "1"))

    with uncommitted_meanwhile(lambda: enter_ap_invoice(world, first, "1", number="INV-88")):
        before = APInvoice.objects.count()
        with pytest.raises(DuplicateSupplierInvoice) as refused:
            enter_ap_invoice(world, second, "1", number="INV-88")

    supplier = first.purchase_order.supplier
    assert refused.value.message == DUPLICATE_SUPPLIER_INVOICE.format(
        number="INV-88", supplier=supplier
    )
    assert isinstance(refused.value.__cause__, IntegrityError)  # not the earlier check
    assert before == 0  # the other invoice was not committed when this one checked
    assert list(APInvoice.objects.values_list("purchase_order", flat=True)) == [
        first.purchase_order_id
    ]


@pytest.mark.django_db(transaction=True)
def test_validation_twice_at_once_places_the_hold_once(world, drive_to_po):
    _, [po_line] = drive_to_po((SERVER, "2"))
    receive(world, po_line, "1")
    invoice = enter_ap_invoice(world, po_line, "2")  # billed over received: a quantity hold

    outcomes = run_concurrently(lambda: validate(world, invoice), lambda: validate(world, invoice))

    assert all(isinstance(outcome, APInvoice) for outcome in outcomes), outcomes
    [hold] = APInvoiceHold.objects.all()
    assert (hold.reason, hold.released_at) == (HoldReason.QUANTITY_BILLED_OVER_RECEIVED, None)
    invoice.refresh_from_db()
    assert invoice.status == APStatus.ON_HOLD
    assert PurchaseOrderLine.objects.get(pk=po_line.pk).billed_quantity == Decimal("0")


@pytest.mark.django_db(transaction=True)
def test_validation_twice_at_once_bills_the_invoice_once(world, drive_to_po):
    _, [po_line] = drive_to_po((SERVER, "2"))
    receive(world, po_line, "2")
    invoice = enter_ap_invoice(world, po_line, "2")

    outcomes = run_concurrently(lambda: validate(world, invoice), lambda: validate(world, invoice))

    [validated] = [outcome for outcome in outcomes if isinstance(outcome, APInvoice)]
    [refused] = [outcome for outcome in outcomes if isinstance(outcome, TransitionRefused)]
    assert refused.message == f"{invoice} is Validated: nothing to validate."
    assert validated.status == APStatus.VALIDATED
    assert not APInvoiceHold.objects.exists()
    assert PurchaseOrderLine.objects.get(pk=po_line.pk).billed_quantity == Decimal("2")


@pytest.mark.django_db(transaction=True)
def test_an_ar_invoice_completed_twice_at_once_closes_its_lines_once(world, drive_to_po):
    invoice = ar_invoice(world, drive_to_po)

    def complete():
        return ar_invoice_complete(actor=world.users["ar"], invoice=invoice)

    outcomes = run_concurrently(complete, complete)

    [completed] = [outcome for outcome in outcomes if isinstance(outcome, ARInvoice)]
    [refused] = [outcome for outcome in outcomes if isinstance(outcome, TransitionRefused)]
    assert refused.message == f"{invoice} is Complete: it cannot complete now."
    assert completed.status == ARStatus.COMPLETE
    lines = SalesOrderLine.objects.filter(order=invoice.sales_order)
    assert set(lines.values_list("status", flat=True)) == {LineStatus.CLOSED}
    closings = SalesOrderLine.history.filter(
        order_id=invoice.sales_order_id, status=LineStatus.CLOSED
    )
    assert closings.count() == lines.count() == 2
    assert ARInvoice.history.filter(id=invoice.pk, status=ARStatus.COMPLETE).count() == 1
