"""Read queries of invoicing that services and pages share."""

from django.db.models import DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from procurement.models import PurchaseOrder
from procurement.selectors import LIVE_PO_LINES

from .models import APStatus

QUANTITY = DecimalField(max_digits=14, decimal_places=3)


def lines_to_bill(purchase_order: PurchaseOrder) -> list:
    """The PO's live lines, each with ``to_bill``: received, not yet billed, and not on
    another invoice still waiting for validation (Draft or On Hold)."""
    pending = Coalesce(
        Sum(
            "ap_invoice_lines__quantity",
            filter=Q(ap_invoice_lines__invoice__status__in=[APStatus.DRAFT, APStatus.ON_HOLD]),
        ),
        Value(0),
        output_field=QUANTITY,
    )
    return list(
        purchase_order.lines.filter(LIVE_PO_LINES)
        .select_related("item", "sales_order_line__order")
        .annotate(pending_quantity=pending)
        .annotate(
            to_bill=Greatest(
                F("received_quantity") - F("billed_quantity") - F("pending_quantity"),
                Value(0),
                output_field=QUANTITY,
            )
        )
        .order_by("line_number")
    )
