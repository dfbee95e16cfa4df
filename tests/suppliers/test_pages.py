"""The supplier portal's pages, the receiving of a ship notice and what the buyer sees:
scoping (another supplier's PO is a 404, other roles 403), each form through its service,
the receive form prefilled from the notice, the PO page and the Peg Trace."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from b2b_portal.web import new_submission_token
from invoicing.models import APInvoice, APStatus
from procurement.models import POLineStatus, SupplyStatus
from receiving.models import Receipt
from suppliers.models import ShipNotice, ShipNoticeStatus
from suppliers.services import ShipNoticeLineInput, ship_notice_create, supplier_contact_set
from tests.factories import UserFactory
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def po_line(drive_to_po):
    _order, [po_line] = drive_to_po(("SRV-DL380-G11", "4"))
    return po_line


@pytest.fixture
def supplier_client(client, world):
    client.force_login(world.users["supplier"])
    return client


def detail_url(po_line):
    return reverse("suppliers:po_detail", args=[po_line.purchase_order_id])


def post(client, url, **data):
    return client.post(url, {"submission_token": new_submission_token(), **data})


def test_the_supplier_lists_and_opens_their_pos_only(supplier_client, world, po_line):
    listing = supplier_client.get(reverse("suppliers:po_list"))
    assert list(listing.context["purchase_orders"]) == [po_line.purchase_order]
    assert supplier_client.get(detail_url(po_line)).status_code == 200
    other = UserFactory(username="contoso", role="Supplier")
    supplier_contact_set(actor=world.users["admin"], user=other, supplier=world.suppliers["S-200"])
    supplier_client.force_login(other)
    assert list(supplier_client.get(reverse("suppliers:po_list")).context["purchase_orders"]) == []
    for url in (
        detail_url(po_line),
        reverse("suppliers:acknowledge", args=[po_line.purchase_order_id, po_line.pk]),
        reverse("suppliers:ship_notice_create", args=[po_line.purchase_order_id]),
        reverse("suppliers:invoice_create", args=[po_line.purchase_order_id]),
    ):
        assert supplier_client.get(url).status_code == 404, url


def test_other_roles_are_refused_the_supplier_pages_and_the_supplier_the_others(
    client, world, po_line
):
    client.force_login(world.users["buyer"])
    assert client.get(detail_url(po_line)).status_code == 403
    client.force_login(world.users["supplier"])
    procurement_page = reverse("procurement:po_detail", args=[po_line.purchase_order_id])
    assert client.get(procurement_page).status_code == 403


def test_acknowledging_a_line_for_a_new_date(supplier_client, po_line, today):
    url = reverse("suppliers:acknowledge", args=[po_line.purchase_order_id, po_line.pk])
    new_date = today + timedelta(days=25)
    response = post(supplier_client, url, kind="NEW_DATE", promised_date=new_date.isoformat())
    assert response.status_code == 302 and response["Location"] == detail_url(po_line)
    po_line.refresh_from_db()
    assert po_line.promised_date == new_date
    page = supplier_client.get(detail_url(po_line))
    assert "Accepted with a new date for " + f"{new_date:%Y-%m-%d}" in page.content.decode()


def test_a_refused_acknowledgement_shows_the_message_and_changes_nothing(supplier_client, po_line):
    url = reverse("suppliers:acknowledge", args=[po_line.purchase_order_id, po_line.pk])
    response = post(supplier_client, url, kind="REJECTED", reason="")
    assert response.status_code == 200
    assert "Say why the line is rejected." in response.content.decode()
    po_line.refresh_from_db()
    assert po_line.status == POLineStatus.OPEN


def test_a_rejection_through_the_page_puts_the_supply_in_exception(supplier_client, po_line):
    url = reverse("suppliers:acknowledge", args=[po_line.purchase_order_id, po_line.pk])
    post(supplier_client, url, kind="REJECTED", reason="discontinued")
    supply_order = po_line.sales_order_line.supply_orders.get()
    assert supply_order.status == SupplyStatus.EXCEPTION


def test_sending_a_ship_notice_and_entering_an_invoice(supplier_client, world, po_line, today):
    arrival = today + timedelta(days=3)
    response = post(
        supplier_client,
        reverse("suppliers:ship_notice_create", args=[po_line.purchase_order_id]),
        ship_date=today.isoformat(),
        expected_arrival=arrival.isoformat(),
        carrier="DHL",
        tracking_number="JD0001",
        **{f"line_{po_line.pk}": "2"},
    )
    notice = ShipNotice.objects.get()
    assert response["Location"] == notice.get_absolute_url()
    assert [(line.purchase_order_line_id, line.quantity) for line in notice.lines.all()] == [
        (po_line.pk, Decimal("2"))
    ]
    assert supplier_client.get(notice.get_absolute_url()).status_code == 200
    too_much = post(
        supplier_client,
        reverse("suppliers:ship_notice_create", args=[po_line.purchase_order_id]),
        ship_date=today.isoformat(),
        expected_arrival=arrival.isoformat(),
        carrier="DHL",
        tracking_number="JD0002",
        **{f"line_{po_line.pk}": "3"},
    )
    assert "3 is too much" in too_much.content.decode()
    assert ShipNotice.objects.count() == 1

    response = post(
        supplier_client,
        reverse("suppliers:invoice_create", args=[po_line.purchase_order_id]),
        supplier_invoice_number="NW-9",
        invoice_date=today.isoformat(),
        **{f"line_{po_line.pk}": "2"},
    )
    assert response.status_code == 302
    invoice = APInvoice.objects.get()
    assert (invoice.status, invoice.supplier_invoice_number) == (APStatus.DRAFT, "NW-9")
    assert invoice.lines.get().unit_price == po_line.unit_price


def test_the_receiver_receives_a_ship_notice_prefilled(client, world, po_line, today):
    notice = ship_notice_create(
        actor=world.users["supplier"],
        purchase_order=po_line.purchase_order,
        ship_date=today,
        expected_arrival=today + timedelta(days=2),
        carrier="UPS",
        tracking_number="1Z42",
        lines=[ShipNoticeLineInput(purchase_order_line=po_line, quantity=Decimal("3"))],
    )
    client.force_login(world.users["receiver"])
    expected = client.get(reverse("receiving:expected"))
    assert list(expected.context["ship_notices"]) == [notice]
    url = reverse("receiving:receive_ship_notice", args=[notice.pk])
    page = client.get(url)
    assert page.context["form"][f"line_{po_line.pk}"].value() == "3"
    response = post(client, url, **{f"line_{po_line.pk}": "3", "packing_slip": "PS-9"})
    receipt = Receipt.objects.get()
    assert response["Location"] == receipt.get_absolute_url()
    notice.refresh_from_db()
    assert (notice.status, notice.receipt) == (ShipNoticeStatus.RECEIVED, receipt)
    assert any("from " + notice.number in m for m in messages_of(client.get(response["Location"])))
    assert list(client.get(reverse("receiving:expected")).context["ship_notices"]) == []


def test_a_notice_partly_received_on_the_po_prefills_what_is_still_on_the_way(
    client, world, po_line, today
):
    notice = ship_notice_create(
        actor=world.users["supplier"],
        purchase_order=po_line.purchase_order,
        ship_date=today,
        expected_arrival=today + timedelta(days=2),
        carrier="UPS",
        tracking_number="1Z43",
        lines=[ShipNoticeLineInput(purchase_order_line=po_line, quantity=Decimal("4"))],
    )
    client.force_login(world.users["receiver"])
    receive = reverse("receiving:receive", args=[po_line.purchase_order_id])
    post(client, receive, **{f"line_{po_line.pk}": "1", "packing_slip": ""})
    notice.refresh_from_db()
    assert notice.status == ShipNoticeStatus.SHIPPED
    page = client.get(reverse("receiving:receive_ship_notice", args=[notice.pk]))
    assert page.context["form"][f"line_{po_line.pk}"].value() == "3"
    # The 3 still on the way are all that is open: the line is expected on their arrival.
    arrival = today + timedelta(days=2)
    assert f"expected {arrival:%Y-%m-%d}" in client.get(receive).content.decode()


def test_the_buyer_sees_the_suppliers_side_on_the_po_page_and_the_peg_trace(
    client, world, po_line, today
):
    client.force_login(world.users["supplier"])
    post(
        client,
        reverse("suppliers:acknowledge", args=[po_line.purchase_order_id, po_line.pk]),
        kind="ACCEPTED",
    )
    ship_notice_create(
        actor=world.users["supplier"],
        purchase_order=po_line.purchase_order,
        ship_date=today,
        expected_arrival=today + timedelta(days=2),
        carrier="UPS",
        tracking_number="1Z77",
        lines=[ShipNoticeLineInput(purchase_order_line=po_line, quantity=Decimal("4"))],
    )
    client.force_login(world.users["buyer"])
    page = client.get(reverse("procurement:po_detail", args=[po_line.purchase_order_id]))
    text = page.content.decode()
    assert "From the supplier" in text and "1Z77" in text and "Accepted" in text
    trace = client.get(reverse("orchestration:peg_trace", args=[po_line.sales_order_line_id]))
    titles = [title for title, _entries in trace.context["trace"].stages]
    assert {"Supplier acknowledgement", "Ship notice"} <= set(titles)
