"""Database constraints as messages a clerk understands (b2b_portal.integrity): quantity 0
in the admin is a form error on the quantity, not 'Constraint "so_line_quantity_positive"
is violated.', and every check constraint of the project has its message."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import CheckConstraint, UniqueConstraint

from b2b_portal.integrity import CONSTRAINT_MESSAGES, ReadableConstraintsModel
from orders.models import SalesOrder, SalesOrderLine
from tests.admin.support import admin_url
from tests.helpers import PROJECT_APPS, place_order, snapshot

pytestmark = pytest.mark.django_db


def named_constraints():
    """(model, constraint) of every check and conditional unique constraint: those Django
    reports by name only."""
    return [
        (model, constraint)
        for app_label in PROJECT_APPS
        for model in apps.get_app_config(app_label).get_models()
        for constraint in model._meta.constraints
        if isinstance(constraint, CheckConstraint)
        or (isinstance(constraint, UniqueConstraint) and constraint.condition is not None)
    ]


def test_every_named_constraint_has_a_clerks_message_and_a_readable_model():
    found = named_constraints()
    assert len(found) >= 20
    missing = [f"{m._meta.label}: {c.name}" for m, c in found if c.name not in CONSTRAINT_MESSAGES]
    assert not missing, missing
    plain = {m._meta.label for m, _c in found if not issubclass(m, ReadableConstraintsModel)}
    assert not plain, plain


@pytest.mark.parametrize("quantity", ["0", "-1"])
def test_a_line_quantity_not_above_zero_is_an_error_on_the_quantity(world, quantity):
    order = place_order(world, ("SRV-DL380-G11", "1"), book=False)
    line = order.lines.get()
    line.quantity = Decimal(quantity)
    with pytest.raises(ValidationError) as refused:
        line.validate_constraints()
    errors = refused.value.message_dict
    assert errors["quantity"] == ["Quantity must be greater than zero."]
    assert "Constraint" not in str(errors)


def test_a_relation_between_fields_is_said_for_the_whole_line(world):
    order = place_order(world, ("SRV-DL380-G11", "2"), book=False)
    line = order.lines.get()
    line.shipped_quantity = Decimal("3")
    with pytest.raises(ValidationError) as refused:
        line.validate_constraints()
    errors = refused.value.message_dict[NON_FIELD_ERRORS]
    assert "The shipped quantity cannot be more than the ordered." in errors
    assert not any("Constraint" in error for error in errors)


def test_quantity_0_in_the_admin_is_a_form_error(client, world, today):
    client.force_login(world.users["admin"])
    before = snapshot()
    response = client.post(
        admin_url(SalesOrder, "add"),
        {
            "business_unit": world.units["US1"].pk,
            "customer": world.customers["C-1001"].pk,
            "customer_po_number": "ACME-77",
            "warehouse": world.warehouses["M1"].pk,
            "ordered_date": today.isoformat(),
            "requested_date": (today + timedelta(days=20)).isoformat(),
            "lines-TOTAL_FORMS": 1,
            "lines-INITIAL_FORMS": 0,
            "lines-MIN_NUM_FORMS": 0,
            "lines-MAX_NUM_FORMS": 1000,
            "lines-0-item": world.items["SRV-DL380-G11"].pk,
            "lines-0-quantity": "0",
            "lines-0-unit_selling_price": "",
            "_save": "Save",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Quantity must be greater than zero." in page
    assert "so_line_quantity_positive" not in page and "is violated" not in page
    assert snapshot() == before
    assert not SalesOrderLine.objects.exists()
