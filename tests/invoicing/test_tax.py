"""Tax (invoicing.tax): the unit's rate unless the item has its own, kept on each invoice
line as it was when the line was made, one tax line per rate rounded once; and an invoice's
payment terms are its party's when it was made."""

from datetime import timedelta
from decimal import Decimal

import pytest

from invoicing.models import ARInvoice
from invoicing.services import autoinvoice_import
from invoicing.tax import tax_summary
from tests.helpers import enter_ap_invoice, receive, ship

pytestmark = pytest.mark.django_db


def test_tax_lines_per_rate_rounded_once_and_the_total():
    summary = tax_summary(
        [
            (Decimal("0.05"), Decimal("10")),
            (Decimal("0.05"), Decimal("10")),
            (Decimal("100.00"), Decimal("0")),
            (Decimal("33.33"), Decimal("7.5")),
        ]
    )
    assert [(line.rate, line.taxable_amount, line.tax_amount) for line in summary.lines] == [
        (Decimal("0"), Decimal("100.00"), Decimal("0.00")),
        (Decimal("7.5"), Decimal("33.33"), Decimal("2.50")),  # 2.49975 rounds half up
        (Decimal("10"), Decimal("0.10"), Decimal("0.01")),  # 0.005 + 0.005, not 0.01 + 0.01
    ]
    assert (summary.subtotal, summary.tax_amount, summary.total) == (
        Decimal("133.43"),
        Decimal("2.51"),
        Decimal("135.94"),
    )


def test_invoices_keep_the_rates_and_terms_in_force_when_they_were_made(world, drive_to_po):
    us1, server = world.units["US1"], world.items["SRV-DL380-G11"]
    us1.tax_rate = Decimal("10")
    us1.save()
    server.tax_rate = Decimal("20")
    server.save()
    world.customers["C-1001"].payment_terms_days = 45
    world.customers["C-1001"].save()
    world.suppliers["S-100"].payment_terms_days = 60
    world.suppliers["S-100"].save()
    order, [server_po_line, gpu_po_line] = drive_to_po(("SRV-DL380-G11", "2"), ("SRV-R760-XA", "1"))
    for po_line in (server_po_line, gpu_po_line):
        receive(world, po_line, po_line.quantity)
    ship(world)
    autoinvoice_import(actor=world.users["ar"])
    ap_invoice = enter_ap_invoice(world, server_po_line, "2")

    # Master data changes afterwards: issued invoices do not.
    us1.tax_rate, server.tax_rate = Decimal("15"), None
    us1.save()
    server.save()
    world.customers["C-1001"].payment_terms_days = 10
    world.customers["C-1001"].save()

    ar_invoice = ARInvoice.objects.get(sales_order=order)
    rates = {line.sales_order_line.item.number: line.tax_rate for line in ar_invoice.lines.all()}
    assert rates == {"SRV-DL380-G11": Decimal("20.00"), "SRV-R760-XA": Decimal("10.00")}
    assert [(line.rate, line.tax_amount) for line in ar_invoice.tax.lines] == [
        (Decimal("10.00"), Decimal("9600.00")),
        (Decimal("20.00"), Decimal("19400.00")),
    ]
    assert ar_invoice.total_amount == Decimal("193000.00")  # amounts stay net
    assert ar_invoice.tax.total == Decimal("222000.00")
    assert ar_invoice.due_date == ar_invoice.invoice_date + timedelta(days=45)

    assert ap_invoice.lines.get().tax_rate == Decimal("20.00")
    assert ap_invoice.tax.total == Decimal("95520.00")  # 79,600.00 and 20 %
    assert ap_invoice.due_date == ap_invoice.invoice_date + timedelta(days=60)
