"""Receivables: AutoInvoice turns shipped lines into invoices at the sales order price;
completing an invoice closes its lines."""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from b2b_portal.permissions import require_permission
from b2b_portal.transitions import apply_transition, bulk_save_with_history
from catalog.units import require_business_unit
from orders.locks import sales_order_lines_for_update
from processes.batching import ProcessResult, filter_by, process_in_chunks
from shipping.models import ShipmentLine, ShipmentStatus

from ..locks import ar_invoices_for_update
from ..models import ARInvoice, ARInvoiceLine

AUTOINVOICE = "Import AutoInvoice"


def _invoice_shipment_lines(chunk: list[ShipmentLine], *, actor) -> list[ARInvoice]:
    """One draft invoice per sales order of the chunk, one line per shipment line at the
    sales order price; the sales order lines are billed."""
    by_order = defaultdict(list)
    for shipment_line in chunk:
        by_order[shipment_line.sales_order_line.order].append(shipment_line)
    today = timezone.localdate()
    invoices = {
        order.pk: ARInvoice(
            business_unit_id=order.business_unit_id,
            customer_id=order.customer_id,
            sales_order=order,
            invoice_date=today,
            currency_code=order.currency_code,
        )
        for order in by_order
    }
    bulk_create_with_history(
        list(invoices.values()), ARInvoice, default_user=actor, default_change_reason=AUTOINVOICE
    )
    invoice_lines = [
        ARInvoiceLine(
            invoice=invoices[order.pk],
            shipment_line=shipment_line,
            sales_order_line_id=shipment_line.sales_order_line_id,
            quantity=shipment_line.quantity,
            unit_price=shipment_line.sales_order_line.unit_selling_price,
        )
        for order, shipment_lines_of_order in by_order.items()
        for shipment_line in shipment_lines_of_order
    ]
    bulk_create_with_history(
        invoice_lines, ARInvoiceLine, default_user=actor, default_change_reason=AUTOINVOICE
    )
    _bill_sales_lines(invoice_lines, actor=actor)
    return list(invoices.values())


def autoinvoice_import(
    *,
    actor,
    business_unit=None,
    date_from=None,
    date_to=None,
    batch_size: int = 500,
    progress=None,
) -> ProcessResult:
    """Import AutoInvoice: every shipped, not yet invoiced shipment line becomes an AR
    invoice line at the sales order price; one invoice per sales order and chunk. The
    dates bound the ship date."""
    shipment_lines = ShipmentLine.objects.filter(
        shipment__status=ShipmentStatus.SHIPPED, ar_invoice_line__isnull=True
    ).select_related("sales_order_line__order")
    shipment_lines = filter_by(
        shipment_lines,
        shipment__business_unit=business_unit,
        shipment__shipped_at__date__gte=date_from,
        shipment__shipped_at__date__lte=date_to,
    )

    def handle(chunk: list[ShipmentLine]) -> ProcessResult:
        invoices = _invoice_shipment_lines(chunk, actor=actor)
        return ProcessResult(examined=len(chunk), created=len(invoices))

    return process_in_chunks(shipment_lines, handle, batch_size=batch_size, progress=progress)


def _bill_sales_lines(invoice_lines: list[ARInvoiceLine], *, actor) -> None:
    quantities = defaultdict(Decimal)
    for invoice_line in invoice_lines:
        quantities[invoice_line.sales_order_line_id] += invoice_line.quantity
    # A cancellation or change of the same lines waits for the billing, or it for them.
    sales_lines = list(sales_order_lines_for_update().filter(pk__in=quantities))
    now = timezone.now()
    for line in sales_lines:
        line.invoiced_quantity += quantities[line.pk]
        line.updated_at = now
        apply_transition(line, "mark_billed", actor=actor, reason=AUTOINVOICE)
    bulk_save_with_history(
        sales_lines, ["status", "invoiced_quantity", "updated_at"], actor=actor, reason=AUTOINVOICE
    )


@transaction.atomic
def ar_invoice_complete(*, actor, invoice: ARInvoice) -> ARInvoice:
    """Complete the customer's invoice: its sales order lines are closed."""
    require_permission(actor, "invoicing.complete_arinvoice", "complete AR invoices")
    require_business_unit(actor, invoice.business_unit_id)
    # Completed once: a second completion waits, then finds the invoice Complete.
    invoice = ar_invoices_for_update().get(pk=invoice.pk)
    apply_transition(
        invoice, "complete", actor=actor, reason="completed", by=actor, when=timezone.now()
    )
    invoice.save()
    # Only the lines' own rows: the join through the invoice lines locks nothing more.
    sales_lines = sales_order_lines_for_update().filter(ar_invoice_lines__invoice=invoice)
    for line in sales_lines:
        apply_transition(line, "close", actor=actor, reason=f"billed on {invoice}")
        line.save()
    return invoice
