"""The receiving agent's pages: Receive Expected Shipments, the receipt entry with its
per-line errors and once-only token, and the receipt page showing the reservation made
for the pegged sales order line."""

from decimal import Decimal

import pytest
from django.urls import reverse

from b2b_portal.web import FIRST_SUBMIT_DONE
from orders.models import LineStatus
from procurement.models import PurchaseOrder
from receiving.models import Receipt
from receiving.services import ReceiptLineInput, receipt_create
from tests.helpers import messages_of, queries_to_render, snapshot, unit_user
from tests.web.procurement.support import purchase_orders_in_bulk

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver_client(client, users):
    client.force_login(users["receiver"])
    return client


def receive_form(client, po_line, quantity, **extra):
    """GET the receive page (for a fresh token), then POST ``quantity`` on ``po_line``."""
    url = reverse("receiving:receive", args=[po_line.purchase_order_id])
    form = client.get(url).context["form"]
    data = {
        "submission_token": form["submission_token"].value(),
        f"line_{po_line.pk}": quantity,
        **extra,
    }
    return url, data


def test_receiving_one_then_one_more_reserves_for_the_pegged_line(receiver_client, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    so_line = order.lines.get()

    url, data = receive_form(receiver_client, po_line, "1", packing_slip="PS-1")
    response = receiver_client.post(url, data)
    first = Receipt.objects.get()
    assert response["Location"] == first.get_absolute_url()
    assert first.packing_slip == "PS-1"
    page = receiver_client.get(first.get_absolute_url())
    [line] = page.context["receipt"].lines.all()
    assert line.sales_order_line == so_line
    assert line.sales_order_line.reservation.quantity == Decimal("1")
    assert line.sales_order_line.status == LineStatus.AWAITING_SUPPLY
    content = page.content.decode()
    assert 'data-testid="reservation">1<' in content
    assert "Awaiting Supply" in content
    assert so_line.get_absolute_url() in content

    url, data = receive_form(receiver_client, po_line, "1")
    receiver_client.post(url, data)
    second = Receipt.objects.exclude(pk=first.pk).get()
    content = receiver_client.get(second.get_absolute_url()).content.decode()
    assert 'data-testid="reservation">2<' in content
    assert "Awaiting Shipping" in content
    so_line.refresh_from_db()
    assert (so_line.status, so_line.reserved_quantity) == (LineStatus.AWAITING_SHIPPING, 2)


@pytest.mark.parametrize(
    "quantity, message",
    [
        ("3", "Only 2 is open on this line."),
        ("0", "Enter a quantity greater than zero, or leave it blank."),
        ("-1", "Enter a quantity greater than zero, or leave it blank."),
        ("0.0001", "Use at most 3 decimal places."),
        ("1000000000000", "Only 2 is open on this line."),
        ("two", "Enter a number."),
        ("", "Enter a received quantity on at least one line."),
    ],
)
def test_bad_quantities_show_an_error_and_change_nothing(
    receiver_client, drive_to_po, quantity, message
):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    url, data = receive_form(receiver_client, po_line, quantity)
    before = snapshot()
    response = receiver_client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def test_receiving_more_than_is_left_after_a_first_receipt_is_refused(
    world, receiver_client, drive_to_po
):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    url, data = receive_form(receiver_client, po_line, "2")
    receipt_create(  # someone else received one meanwhile
        actor=world.users["receiver"],
        purchase_order=po_line.purchase_order,
        lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=Decimal("1"))],
    )
    before = snapshot()
    response = receiver_client.post(url, data)
    assert "Only 1 is open on this line." in response.content.decode()
    assert snapshot() == before


def test_a_double_submit_makes_one_receipt(receiver_client, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    url, data = receive_form(receiver_client, po_line, "1")
    first = receiver_client.post(url, data)
    assert first.status_code == 302
    again = receiver_client.post(url, data)
    assert again.url == first.url
    assert FIRST_SUBMIT_DONE in messages_of(again)
    assert Receipt.objects.count() == 1


def test_expected_shipments_find_open_purchase_orders(world, receiver_client, drive_to_po):
    _, [draft_line] = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    _, [server_line] = drive_to_po(("SRV-DL380-G11", "2"))
    _, [gpu_line] = drive_to_po(("SRV-R760-XA", "1"))
    url = reverse("receiving:expected")

    def shown(**params):
        return [po.pk for po in receiver_client.get(url, params).context["purchase_orders"]]

    server, gpu = server_line.purchase_order, gpu_line.purchase_order
    assert sorted(shown()) == sorted([server.pk, gpu.pk])  # the draft is not expected
    assert shown(number=server.number) == [server.pk]
    assert shown(number=str(gpu.pk)) == [gpu.pk]
    assert shown(number=draft_line.purchase_order.number) == []
    assert shown(supplier=world.suppliers["S-300"].pk) == [gpu.pk]
    assert shown(item=world.items["SRV-DL380-G11"].pk) == [server.pk]
    page = receiver_client.get(url, {"number": server.number})
    [row] = page.context["purchase_orders"]
    assert (row.open_lines, row.open_quantity) == (1, Decimal("2"))
    assert reverse("receiving:receive", args=[server.pk]) in page.content.decode()


def test_receipts_list_searches_by_receipt_po_and_supplier(world, receiver_client, drive_to_po):
    receipts = []
    for item in ("SRV-DL380-G11", "SRV-R760-XA"):
        _, [po_line] = drive_to_po((item, "1"))
        receipts.append(
            receipt_create(
                actor=world.users["receiver"],
                purchase_order=po_line.purchase_order,
                lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=Decimal("1"))],
            )
        )
    server, gpu = receipts
    url = reverse("receiving:receipt_list")

    def shown(**params):
        return [r.pk for r in receiver_client.get(url, params).context["receipts"]]

    assert shown() == [gpu.pk, server.pk]
    assert shown(number=server.number) == [server.pk]
    assert shown(purchase_order=gpu.purchase_order.number) == [gpu.pk]
    assert shown(supplier=world.suppliers["S-100"].pk) == [server.pk]
    assert shown(item=world.items["SRV-R760-XA"].pk) == [gpu.pk]
    assert shown(sort="number") == [server.pk, gpu.pk]


# --- who may see what ------------------------------------------------------------------


def test_a_clerk_gets_403_on_the_receiving_pages(world, client, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "1"))
    receipt = receipt_create(
        actor=world.users["receiver"],
        purchase_order=po_line.purchase_order,
        lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=Decimal("1"))],
    )
    client.force_login(world.users["clerk"])
    for name, args in [
        ("expected", []),
        ("receive", [po_line.purchase_order_id]),
        ("receipt_list", []),
        ("receipt_detail", [receipt.pk]),
    ]:
        assert client.get(reverse(f"receiving:{name}", args=args)).status_code == 403, name


def test_an_eu1_user_gets_404_on_a_us1_receipt_and_po(world, client, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    receipt = receipt_create(
        actor=world.users["receiver"],
        purchase_order=po_line.purchase_order,
        lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=Decimal("1"))],
    )
    client.force_login(unit_user(world, "eu_receiver", "Receiving Agent"))
    assert client.get(receipt.get_absolute_url()).status_code == 404
    receive = reverse("receiving:receive", args=[po_line.purchase_order_id])
    assert client.get(receive).status_code == 404
    before = snapshot()
    response = client.post(receive, {f"line_{po_line.pk}": "1", "submission_token": "x"})
    assert response.status_code == 404
    assert snapshot() == before
    assert list(client.get(reverse("receiving:receipt_list")).context["receipts"]) == []
    assert list(client.get(reverse("receiving:expected")).context["purchase_orders"]) == []


# --- constant queries ------------------------------------------------------------------


@pytest.mark.slow
def test_receive_expected_shipments_reads_a_constant_number_of_queries(world, receiver_client):
    url = reverse("receiving:expected")
    searches = [{}, {"supplier": world.suppliers["S-100"].pk}, {"sort": "-open_quantity"}]
    purchase_orders_in_bulk(world, 5, approve=True)
    few = [queries_to_render(receiver_client, url, **search) for search in searches]
    purchase_orders_in_bulk(world, 195, approve=True)
    assert PurchaseOrder.objects.count() == 200
    assert [queries_to_render(receiver_client, url, **search) for search in searches] == few


@pytest.mark.slow
def test_receipts_list_reads_a_constant_number_of_queries(world, receiver_client, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "200"))
    url = reverse("receiving:receipt_list")

    def receive(count):
        for _ in range(count):
            receipt_create(
                actor=world.users["receiver"],
                purchase_order=po_line.purchase_order,
                lines=[ReceiptLineInput(purchase_order_line=po_line, quantity=Decimal("1"))],
            )

    receive(5)
    few = queries_to_render(receiver_client, url)
    receive(195)
    assert Receipt.objects.count() == 200
    assert queries_to_render(receiver_client, url) == few
    assert queries_to_render(receiver_client, url, sort="-quantity", page=2) == few
