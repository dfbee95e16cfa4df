"""Receiving goods is the receiving agent's: the service refuses anyone else, whoever calls
it (page, admin, task or shell)."""

import pytest

from b2b_portal.errors import PermissionRefused
from receiving.services import ReceiptLineInput, receipt_create
from tests.helpers import snapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["buyer", "shipper", "ap"])
def test_a_user_without_receiving_rights_cannot_receive(world, drive_to_po, username):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "1"))
    before = snapshot()

    with pytest.raises(PermissionRefused) as refused:
        receipt_create(
            actor=world.users[username],
            purchase_order=po_line.purchase_order,
            lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=po_line.quantity)],
        )

    assert refused.value.message == f"{username} is not allowed to receive goods."
    assert snapshot() == before
