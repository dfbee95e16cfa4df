"""The admin's Un-release (shipments, pick waves) and Reverse (shipments) actions call the
same services, ask for a reason first, and are offered only to who may run them."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from shipping.models import PickWave, Shipment, ShipmentStatus
from shipping.services import shipment_ship_confirm
from tests.admin.support import changelist_url, offered_actions
from tests.helpers import messages_of, on_hand, release

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles_with_the_admin(roles_with_the_admin):
    """The role users may open the admin, as in tests/admin."""


@pytest.fixture
def released(release_received):
    return release_received("2")


def post_action(client, user, model, action, objects, **extra):
    client.force_login(user)
    data = {"action": action, "index": 0, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra}
    return client.post(changelist_url(model), data, follow=True)


def test_unrelease_and_reverse_from_the_admin_with_a_reason(client, world, released):
    shipper = world.users["shipper"]
    asked = post_action(client, shipper, Shipment, "reverse", [released])
    assert asked.templates[0].name == "admin/action_reason.html"
    shipment_ship_confirm(actor=shipper, shipment=released)

    response = post_action(
        client, shipper, Shipment, "reverse", [released], apply_reason="yes", reason="mistake"
    )

    assert "Reversed 1 shipment." in messages_of(response)
    released.refresh_from_db()
    assert (released.status, released.correction_reason) == (ShipmentStatus.REVERSED, "mistake")
    assert on_hand(world) == (2, 2)

    again = release(world)
    response = post_action(
        client, shipper, PickWave, "unrelease", [again], apply_reason="yes", reason="redo"
    )
    assert "Un-released 1 pick wave." in messages_of(response)
    assert again.shipments.get().status == ShipmentStatus.UNRELEASED


def test_the_actions_are_offered_to_the_shipping_clerk_only(client, world, released):
    client.force_login(world.users["shipper"])
    assert {"unrelease", "reverse"} <= offered_actions(client.get(changelist_url(Shipment)))
    client.force_login(world.users["ar"])
    assert not {"unrelease", "reverse"} & offered_actions(client.get(changelist_url(Shipment)))
