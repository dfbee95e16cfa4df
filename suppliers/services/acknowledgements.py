"""The supplier's answer to a PO line: accept it, accept it for a new date, backorder
part of it for a date, or reject it. A new date moves the line's promised date; a
rejection cancels the line on the supplier's word, which puts its supply order in
Exception for the buyer (``procurement.services.purchase_order_line_cancel``)."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from b2b_portal.errors import TransitionRefused, ValidationRefused, require_reason
from b2b_portal.fields import format_quantity
from b2b_portal.permissions import lent
from b2b_portal.transitions import stamp_history
from orders.services import validate_quantity
from procurement.locks import purchase_order_lines_for_update
from procurement.models import POLineStatus, POStatus
from procurement.services import purchase_order_line_cancel

from ..expected import expected_dates_changed
from ..models import AcknowledgementKind, LineAcknowledgement
from .scope import locked_purchase_order_of_supplier

NOT_OPEN = "{line} is {status}: only an open line of an open PO can be acknowledged."
DATE_NEEDED = "Give the date the whole line will arrive."
DATE_PAST = "The new date {date:%Y-%m-%d} is in the past."
NO_DATE_WANTED = "A plain acceptance keeps the promised date; choose a new date instead."
BACKORDER_PART = (
    "Backorder part of the {open} still open on {line}: more than zero and less than all "
    "(accept with a new date to move the whole line)."
)
UNKNOWN_KIND = "{kind!r} is not an acknowledgement: accept, new date, backorder or reject."
RECEIVED_ALREADY = "{line} has {received} received already: it can no longer be rejected."


@transaction.atomic
def line_acknowledge(
    *,
    actor,
    purchase_order_line,
    kind: str,
    promised_date: date | None = None,
    backordered_quantity: Decimal | None = None,
    reason: str = "",
) -> LineAcknowledgement:
    """Record the supplier's answer on one open PO line and what it moves."""
    purchase_order = locked_purchase_order_of_supplier(
        actor, purchase_order_line.purchase_order, "acknowledge purchase order lines"
    )
    if kind not in AcknowledgementKind.values:
        raise ValidationRefused(UNKNOWN_KIND.format(kind=kind))
    po_line = purchase_order_lines_for_update().get(pk=purchase_order_line.pk)
    if purchase_order.status != POStatus.OPEN or po_line.status != POLineStatus.OPEN:
        shown = po_line if po_line.status != POLineStatus.OPEN else purchase_order
        raise TransitionRefused(NOT_OPEN.format(line=shown, status=shown.get_status_display()))
    acknowledgement = LineAcknowledgement(
        purchase_order=purchase_order,
        purchase_order_line=po_line,
        kind=AcknowledgementKind(kind),
        acknowledged_by=actor,
    )
    if kind == AcknowledgementKind.REJECTED:
        return _reject(acknowledgement, actor=actor, reason=reason)
    if kind == AcknowledgementKind.ACCEPTED:
        if promised_date is not None:
            raise ValidationRefused(NO_DATE_WANTED)
    else:
        acknowledgement.promised_date = _future_date(promised_date)
    if kind == AcknowledgementKind.BACKORDER:
        acknowledgement.backordered_quantity = _backordered(po_line, backordered_quantity)
    acknowledgement.reason = reason.strip()
    _save(acknowledgement, actor=actor)
    if acknowledgement.promised_date is not None:
        po_line.promised_date = acknowledgement.promised_date
        expected_dates_changed(
            actor=actor,
            po_lines=[po_line],
            why=f"{purchase_order.supplier.name}: {acknowledgement.get_kind_display().lower()}",
        )
    return acknowledgement


def _future_date(promised_date: date | None) -> date:
    if promised_date is None:
        raise ValidationRefused(DATE_NEEDED)
    if promised_date < timezone.localdate():
        raise ValidationRefused(DATE_PAST.format(date=promised_date))
    return promised_date


def _backordered(po_line, quantity) -> Decimal:
    refusal = BACKORDER_PART.format(open=format_quantity(po_line.open_quantity), line=po_line)
    if quantity is None:
        raise ValidationRefused(refusal)
    quantity = validate_quantity(quantity, what="Backordered quantity")
    if quantity >= po_line.open_quantity:
        raise ValidationRefused(refusal)
    return quantity


def _save(acknowledgement: LineAcknowledgement, *, actor) -> None:
    stamp_history(acknowledgement, actor=actor, reason=acknowledgement.get_kind_display())
    acknowledgement.save()


def _reject(acknowledgement: LineAcknowledgement, *, actor, reason: str):
    po_line, purchase_order = acknowledgement.purchase_order_line, acknowledgement.purchase_order
    acknowledgement.reason = require_reason(reason, "the line is rejected")
    if po_line.received_quantity:
        raise TransitionRefused(
            RECEIVED_ALREADY.format(
                line=po_line, received=format_quantity(po_line.received_quantity)
            )
        )
    _save(acknowledgement, actor=actor)
    # The supplier will not deliver: the buyer's cancellation on the supplier's word,
    # lent for this PO's unit only (the scoping above stands in for the buyer's role).
    with lent(
        actor,
        permissions={"procurement.change_purchaseorder"},
        business_unit_id=purchase_order.business_unit_id,
    ):
        purchase_order_line_cancel(
            actor=actor,
            purchase_order_line=po_line,
            reason=f"rejected by {purchase_order.supplier.name}: {acknowledgement.reason}",
            on_supplier_word=True,
        )
    return acknowledgement
