"""Unique constraints as refusals.

A unique constraint is the last guard against two people doing the same thing at once
(the same supplier invoice entered twice, two splits numbering a line alike). The service
that can hit one writes inside ``refused_on_conflict``: the violation rolls back only the
savepoint and comes back as the ``ApplicationError`` the service chose, with a message a
clerk can act on, instead of a server error.

Check constraints (and conditional unique ones) are also checked by Django before a save
(``full_clean``, the admin's forms): ``ReadableConstraintsModel``, the base of every model
through ``TimeStampedModel``, says each violation in a clerk's words (``CONSTRAINT_MESSAGES``).
"""

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction

from .errors import ApplicationError


def violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint PostgreSQL reports as violated, if any."""
    diagnostics = getattr(error.__cause__, "diag", None)
    return getattr(diagnostics, "constraint_name", None)


@contextmanager
def refused_on_conflict(refusals: dict[str, ApplicationError]):
    """Run the block in a savepoint; a violation of a constraint named in ``refusals``
    raises that refusal, any other integrity error propagates unchanged."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        refusal = refusals.get(violated_constraint(error))
        if refusal is None:
            raise
        raise refusal from error


# The database's check and conditional unique constraints in the clerk's words: (the field
# the message belongs to, or None for the whole form; the message). Django's own text,
# 'Constraint "so_line_quantity_positive" is violated.', names a constraint, not a mistake.
QUANTITY_POSITIVE = ("quantity", "Quantity must be greater than zero.")
AMOUNT_POSITIVE = ("amount", "Amount must be greater than zero.")
CONSTRAINT_MESSAGES = {
    "so_line_quantity_positive": QUANTITY_POSITIVE,
    "po_line_quantity_positive": QUANTITY_POSITIVE,
    "ap_line_quantity_positive": QUANTITY_POSITIVE,
    "receipt_line_qty_positive": QUANTITY_POSITIVE,
    "shipment_line_qty_positive": QUANTITY_POSITIVE,
    "ship_notice_line_positive": QUANTITY_POSITIVE,
    "ship_notice_line_received_within": (
        "quantity",
        "More is received than the ship notice line carries.",
    ),
    "ship_notice_arrives_after_shipping": (
        "expected_arrival",
        "The expected arrival is before the ship date.",
    ),
    "credit_line_amount_positive": AMOUNT_POSITIVE,
    "debit_memo_amount_positive": AMOUNT_POSITIVE,
    "credit_line_quantity_not_negative": ("quantity", "Quantity cannot be negative."),
    "credit_line_reinvoice_has_quantity": (
        None,
        "A credit line to be invoiced again needs a quantity greater than zero.",
    ),
    "so_line_reserved_within_open": (
        None,
        "The reserved quantity cannot be more than the quantity still to ship.",
    ),
    "so_line_shipped_within": (None, "The shipped quantity cannot be more than the ordered."),
    "so_line_invoiced_within_shipped": (
        None,
        "The invoiced quantity cannot be more than the shipped.",
    ),
    "po_line_received_within": (None, "The received quantity cannot be more than the ordered."),
    "po_line_billed_within_received": (
        None,
        "The billed quantity cannot be more than the received.",
    ),
    "onhand_reserved_within_onhand": (
        None,
        "The reserved quantity cannot be more than the quantity on hand.",
    ),
    "sourcing_rule_dates_ordered": ("effective_to", "The end date is before the start date."),
    "one_open_exception_per_kind_and_po_line": (
        None,
        "This PO line already has an open exception of this kind.",
    ),
    "ap_supplier_invoice_number_unique": (
        None,
        "This supplier's invoice number is already on an AP invoice that is not cancelled.",
    ),
    "one_open_hold_per_line_and_reason": (
        None,
        "This invoice line already has an open hold for this reason.",
    ),
    "one_live_ar_line_per_shipment_line": (
        None,
        "This shipment line is already billed on an AR invoice that is not cancelled.",
    ),
    "one_live_reinvoice_per_credit_line": (None, "This credit line is already invoiced again."),
    "one_live_supply_order_per_so_line": (
        None,
        "This order line already has a supply order that is not cancelled.",
    ),
    "one_live_requisition_line_per_supply_order": (
        None,
        "This supply order already has a requisition line that is not cancelled.",
    ),
    "one_live_po_line_per_so_line": (
        None,
        "This order line is already on a PO line that is not cancelled.",
    ),
    "one_live_po_line_per_requisition_line": (
        None,
        "This requisition line is already on a PO line that is not cancelled.",
    ),
    "one_shipment_line_per_so_line": (
        None,
        "This order line is already on a shipment that is not reversed.",
    ),
}


class ReadableConstraintsModel(models.Model):
    """A model whose constraint violations, found by ``full_clean`` (the admin's forms, a
    service's check), read as ``CONSTRAINT_MESSAGES`` say, on their field where they have one."""

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            raise ValidationError(self._readable_violations(exclude, error)) from None

    def _readable_violations(self, exclude, error: ValidationError) -> dict:
        """Django's errors, each named constraint's replaced by its message."""
        errors = dict(error.error_dict)
        named = errors.pop(NON_FIELD_ERRORS, [])
        for _model, constraints in self.get_constraints():
            for constraint in constraints:
                if constraint.name not in CONSTRAINT_MESSAGES:
                    continue
                try:
                    constraint.validate(type(self), self, exclude=exclude)
                except ValidationError as violation:
                    field, message = CONSTRAINT_MESSAGES[constraint.name]
                    named = [e for e in named if e.messages != violation.messages]
                    errors.setdefault(field or NON_FIELD_ERRORS, []).append(
                        ValidationError(message, code=constraint.name)
                    )
        if named:
            errors.setdefault(NON_FIELD_ERRORS, []).extend(named)
        return errors
