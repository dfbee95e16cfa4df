"""Un-release and reversal lock only their own rows, in the documented order; at the same
moment as a ship confirm or an AutoInvoice of the same shipment, one of the two wins and
the other is refused or finds nothing to do: never a reversed and invoiced shipment."""

import pytest

from b2b_portal.errors import ApplicationError
from invoicing.models import ARInvoiceLine
from invoicing.services import autoinvoice_import
from orchestration.consistency import check_consistency
from shipping.corrections import shipment_reverse, shipment_unrelease
from shipping.models import ShipmentStatus
from shipping.services import shipment_ship_confirm
from tests.helpers import release
from tests.locking.support import (
    assert_locks_only_own_rows,
    lock_order,
    locking_statements,
    run_concurrently,
)


@pytest.fixture
def released(release_received):
    return release_received("2")


def reverse(world, shipment):
    return shipment_reverse(actor=world.users["shipper"], shipment=shipment, reason="mistake")


@pytest.mark.django_db
def test_unrelease_and_reversal_lock_in_the_documented_order(world, released):
    shipper = world.users["shipper"]
    statements = locking_statements(
        lambda: shipment_unrelease(actor=shipper, shipment=released, reason="redo")
    )
    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == ["shipping_shipment", "shipping_shipmentline"]

    again = release(world).shipments.get()
    shipment_ship_confirm(actor=shipper, shipment=again)
    statements = locking_statements(lambda: reverse(world, again))
    assert_locks_only_own_rows(statements)
    assert lock_order(statements) == [
        "shipping_shipment",
        "shipping_shipmentline",
        "orders_salesorderline",
        "inventory_onhandbalance",
        "inventory_reservation",
    ]


@pytest.mark.django_db(transaction=True)
def test_reversal_and_autoinvoice_at_once_never_both(world, released):
    shipment_ship_confirm(actor=world.users["shipper"], shipment=released)

    outcomes = run_concurrently(
        lambda: reverse(world, released), lambda: autoinvoice_import(actor=world.users["ar"])
    )

    released.refresh_from_db()
    invoiced = ARInvoiceLine.objects.filter(shipment_line__shipment=released).exists()
    if released.status == ShipmentStatus.REVERSED:
        assert not invoiced
    else:
        assert invoiced and isinstance(outcomes[0], ApplicationError), outcomes
        assert "an AR credit memo for it is needed" in outcomes[0].message
    assert check_consistency() == []


@pytest.mark.django_db(transaction=True)
def test_unrelease_and_ship_confirm_at_once_one_wins(world, released):
    shipper = world.users["shipper"]

    outcomes = run_concurrently(
        lambda: shipment_unrelease(actor=shipper, shipment=released, reason="redo"),
        lambda: shipment_ship_confirm(actor=shipper, shipment=released),
    )

    refusals = [outcome for outcome in outcomes if isinstance(outcome, ApplicationError)]
    assert len(refusals) == 1, outcomes
    released.refresh_from_db()
    assert released.status in (ShipmentStatus.UNRELEASED, ShipmentStatus.SHIPPED)
    assert {line.status for line in released.lines.all()} == {released.status}
    assert check_consistency() == []
