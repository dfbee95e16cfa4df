"""Shipping test setup: a shipment released from stock received for it."""

import pytest

from tests.helpers import receive, release


@pytest.fixture
def release_received(world, drive_to_po):
    """Order ``quantity`` servers, receive them in full and release them: the shipment."""

    def make(quantity):
        _, [po_line] = drive_to_po(("SRV-DL380-G11", quantity))
        receive(world, po_line, quantity)
        return release(world).shipments.get()

    return make
