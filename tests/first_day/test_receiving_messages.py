"""Receiving on a page that is no longer true says what happened to the line: received
meanwhile in another tab, or cancelled with the supplier, instead of "Enter a received
quantity on at least one line" or "has 2.000 open to receive; 2 is too much"."""

from decimal import Decimal

import pytest
from django.urls import reverse

from b2b_portal.errors import ValidationRefused
from procurement.services import purchase_order_line_cancel
from receiving.models import Receipt
from receiving.services import LINE_RECEIVED_MEANWHILE, TOO_MUCH, ReceiptLineInput, receipt_create
from tests.helpers import receive, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def po_lines(drive_to_po):
    """One PO of two lines (2 and 1 servers), approved, nothing received."""
    _, lines = drive_to_po(("SRV-DL380-G11", "2"), ("SRV-DL380-G11", "1"))
    assert len({line.purchase_order_id for line in lines}) == 1
    return lines


def open_receive_page(client, po_line, quantity):
    """The receive page as a tab shows it: its token, and ``quantity`` typed on the line."""
    url = reverse("receiving:receive", args=[po_line.purchase_order_id])
    form = client.get(url).context["form"]
    return url, {
        "submission_token": form["submission_token"].value(),
        f"line_{po_line.pk}": quantity,
    }


def test_the_second_tab_says_the_line_was_received_meanwhile(client, world, po_lines):
    first = po_lines[0]
    client.force_login(world.users["receiver"])
    url, second_tab = open_receive_page(client, first, "2")
    receive(world, first, "2")  # the first tab
    before = snapshot()

    response = client.post(url, second_tab)

    first.refresh_from_db()
    expected = LINE_RECEIVED_MEANWHILE.format(line=first, received="2", quantity="2")
    assert response.context["form"].non_field_errors() == [expected]
    assert snapshot() == before


def test_a_line_cancelled_with_the_supplier_says_it_is_cancelled(client, world, po_lines):
    first = po_lines[0]
    client.force_login(world.users["receiver"])
    url, data = open_receive_page(client, first, "2")
    purchase_order_line_cancel(
        actor=world.users["buyer"],
        purchase_order_line=first,
        reason="supplier discontinued the model",
        on_supplier_word=True,
    )
    before = snapshot()

    response = client.post(url, data)

    first.refresh_from_db()
    assert "supplier discontinued the model" in first.cancel_reason
    assert response.context["form"].non_field_errors() == [
        f"{first} is cancelled ({first.cancel_reason}): it can no longer be received."
    ]
    assert snapshot() == before


def test_the_service_says_cancelled_not_too_much(world, po_lines):
    first = po_lines[0]
    purchase_order_line_cancel(
        actor=world.users["buyer"], purchase_order_line=first, reason="supplier discontinued it"
    )
    with pytest.raises(
        ValidationRefused, match=r"is cancelled \(.*\): it can no longer be received"
    ):
        receipt_create(
            actor=world.users["receiver"],
            purchase_order=first.purchase_order,
            lines=[ReceiptLineInput(purchase_order_line=first, quantity=Decimal("2"))],
        )
    assert not Receipt.objects.exists()


def test_too_much_is_said_with_trimmed_quantities(world, po_lines):
    first = po_lines[0]
    with pytest.raises(ValidationRefused) as refused:
        receipt_create(
            actor=world.users["receiver"],
            purchase_order=first.purchase_order,
            lines=[ReceiptLineInput(purchase_order_line=first, quantity=Decimal("3"))],
        )
    assert refused.value.message == TOO_MUCH.format(line=first, open="2", quantity="3")
