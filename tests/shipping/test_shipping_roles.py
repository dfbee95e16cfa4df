"""Pick release and ship confirm are the shipping clerk's: the services refuse anyone else,
whoever calls them (page, admin, task or shell)."""

import pytest

from b2b_portal.errors import PermissionRefused
from shipping.services import pick_release, shipment_ship_confirm
from tests.helpers import receive, snapshot

pytestmark = pytest.mark.django_db


def reserved_line(world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "1"))
    receive(world, po_line, "1")


def release(world, actor):
    return pick_release(
        actor=actor, business_unit=world.units["US1"], warehouse=world.warehouses["M1"]
    )


@pytest.mark.parametrize("username", ["receiver", "ar", "manager"])
def test_a_user_without_pick_release_rights_cannot_release(world, drive_to_po, username):
    reserved_line(world, drive_to_po)
    before = snapshot()

    with pytest.raises(PermissionRefused) as refused:
        release(world, world.users[username])

    assert refused.value.message == f"{username} is not allowed to release lines for picking."
    assert snapshot() == before


@pytest.mark.parametrize("username", ["receiver", "ar", "manager"])
def test_a_user_without_ship_confirm_rights_cannot_confirm(world, drive_to_po, username):
    reserved_line(world, drive_to_po)
    shipment = release(world, world.users["shipper"]).shipments.get()
    before = snapshot()

    with pytest.raises(PermissionRefused) as refused:
        shipment_ship_confirm(actor=world.users[username], shipment=shipment)

    assert refused.value.message == f"{username} is not allowed to ship confirm shipments."
    assert snapshot() == before
