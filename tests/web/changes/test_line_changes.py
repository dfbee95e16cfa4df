"""Cancel a line, cancel an order, change a line's quantity: the pages and the order
page's links to them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from b2b_portal.web import FIRST_SUBMIT_DONE
from orchestration.models import BusinessException, ExceptionKind, ExceptionStatus
from orders.models import LineStatus, SalesOrderLine
from procurement.models import (
    POLineStatus,
    POStatus,
    PurchaseOrder,
    RequisitionLine,
    RequisitionStatus,
    SupplyOrder,
    SupplyStatus,
)
from tests.helpers import messages_of, place_order, receive, ship, snapshot, unit_user
from tests.web.changes.support import errors_of, exception_rows, form_data

pytestmark = pytest.mark.django_db


def cancel_url(line) -> str:
    return reverse("orchestration:line_cancel", args=[line.pk])


def quantity_url(line) -> str:
    return reverse("orchestration:line_change_quantity", args=[line.pk])


def order_cancel_url(order) -> str:
    return reverse("orchestration:order_cancel", args=[order.pk])


@pytest.fixture
def shipped_order(world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    receive(world, po_line, "2")
    ship(world, sales_order=order)
    return order


# --- Cancel a line ----------------------------------------------------------------------


def test_the_clerk_cancels_a_line_whose_po_is_not_sent(client, users, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"), approve=False)
    line = order.lines.get()
    client.force_login(users["clerk"])
    page = client.get(cancel_url(line))
    assert page.status_code == 200
    assert "cancelled with it" in page.content.decode()

    response = client.post(cancel_url(line), form_data(reason="customer went elsewhere"))

    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    line.refresh_from_db()
    po_line.refresh_from_db()
    assert (line.status, line.cancel_reason) == (LineStatus.CANCELLED, "customer went elsewhere")
    assert po_line.status == POLineStatus.CANCELLED
    assert PurchaseOrder.objects.get().status == POStatus.CANCELLED
    assert SupplyOrder.objects.get().status == SupplyStatus.CANCELLED
    assert RequisitionLine.objects.get().status == RequisitionStatus.CANCELLED
    assert line.history.latest().history_user == users["clerk"]
    assert messages_of(client.get(order.get_absolute_url())) == [f"{line} is cancelled."]


def test_cancelling_once_the_supplier_has_the_po_asks_the_buyer(client, users, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    line = order.lines.get()
    client.force_login(users["clerk"])
    assert "the buyer is asked to cancel" in client.get(cancel_url(line)).content.decode()

    response = client.post(cancel_url(line), form_data(reason="order lost"), follow=True)

    line.refresh_from_db()
    po_line.refresh_from_db()
    assert line.status == LineStatus.CANCELLED
    assert (po_line.status, po_line.sales_order_line, po_line.unpegged_from) == (
        POLineStatus.OPEN,
        None,
        line,
    )
    exception = BusinessException.objects.get()
    assert (exception.kind, exception.status) == (
        ExceptionKind.SUPPLIER_CANCELLATION,
        ExceptionStatus.OPEN,
    )
    [message] = messages_of(response)
    assert message == f"{line} is cancelled. Asked of the buyer: {exception.message}"
    client.force_login(users["buyer"])
    po_page = client.get(po_line.purchase_order.get_absolute_url()).content.decode()
    assert "Unpegged: its order line was cancelled; arrives as stock" in po_page


def test_a_shipped_line_is_refused_on_the_form_and_nothing_changes(client, users, shipped_order):
    line = shipped_order.lines.get()
    client.force_login(users["clerk"])
    before, exceptions = snapshot(), exception_rows()

    response = client.post(cancel_url(line), form_data(reason="too late"))

    assert response.status_code == 200
    assert errors_of(response) == [f"{line} is Shipped: a shipped line cannot be cancelled."]
    assert snapshot() == before and exception_rows() == exceptions


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_cancellation_needs_a_reason(client, world, users, reason):
    line = place_order(world, ("SRV-DL380-G11", "1")).lines.get()
    client.force_login(users["clerk"])
    before = snapshot()

    response = client.post(cancel_url(line), form_data(reason=reason))

    assert errors_of(response) == ["Say why the line is cancelled."]
    assert snapshot() == before


def test_roles_without_the_permission_get_403_and_other_units_404(client, world, users):
    line = place_order(world, ("SRV-DL380-G11", "1")).lines.get()
    before = snapshot()
    client.force_login(users["buyer"])  # views orders, may not change them
    assert client.get(cancel_url(line)).status_code == 403
    assert client.post(cancel_url(line), form_data(reason="x")).status_code == 403
    assert client.get(quantity_url(line)).status_code == 403
    assert client.get(order_cancel_url(line.order)).status_code == 403
    client.force_login(unit_user(world, "eu_clerk", "Order Entry Clerk"))
    assert client.get(cancel_url(line)).status_code == 404
    assert client.post(cancel_url(line), form_data(reason="x")).status_code == 404
    assert client.post(quantity_url(line), form_data(quantity="3", reason="x")).status_code == 404
    assert client.post(order_cancel_url(line.order), form_data(reason="x")).status_code == 404
    assert snapshot() == before


# --- The order page's links -------------------------------------------------------------


def test_the_order_page_offers_the_changes_a_line_still_allows(client, world, users, shipped_order):
    order = place_order(world, ("SRV-DL380-G11", "1"))
    open_line = order.lines.get()
    shipped_line = shipped_order.lines.get()
    client.force_login(users["clerk"])
    content = client.get(order.get_absolute_url()).content.decode()
    assert cancel_url(open_line) in content and quantity_url(open_line) in content
    assert order_cancel_url(order) in content
    shipped = client.get(shipped_order.get_absolute_url()).content.decode()
    assert cancel_url(shipped_line) not in shipped and quantity_url(shipped_line) not in shipped
    assert order_cancel_url(shipped_order) not in shipped
    client.force_login(users["buyer"])  # sees the order, may not change it
    content = client.get(order.get_absolute_url()).content.decode()
    assert "/cancel/" not in content and "/change-quantity/" not in content


# --- Cancel an order --------------------------------------------------------------------


def test_cancelling_an_order_cancels_each_open_line(client, users, drive_to_po):
    order, po_lines = drive_to_po(("SRV-DL380-G11", "1"), ("STO-A400-96T", "2"))
    client.force_login(users["manager"])
    assert client.get(order_cancel_url(order)).status_code == 200

    response = client.post(order_cancel_url(order), form_data(reason="customer bankrupt"))

    assert response["Location"] == order.get_absolute_url()
    assert set(order.lines.values_list("status", "cancel_reason")) == {
        (LineStatus.CANCELLED, "customer bankrupt")
    }
    assert (
        BusinessException.objects.filter(
            kind=ExceptionKind.SUPPLIER_CANCELLATION, purchase_order_line__in=po_lines
        ).count()
        == 2
    )
    [message] = messages_of(client.get(order.get_absolute_url()))
    assert message.startswith(f"{order}: lines 1, 2 cancelled. Asked of the buyer: ")


def test_an_order_with_nothing_left_to_cancel_is_refused(client, users, shipped_order):
    client.force_login(users["clerk"])
    page = client.get(order_cancel_url(shipped_order))
    assert "No line of this order can be cancelled any more." in page.content.decode()
    before = snapshot()

    response = client.post(order_cancel_url(shipped_order), form_data(reason="too late"))

    assert errors_of(response) == [f"{shipped_order} has no line left that can be cancelled."]
    assert snapshot() == before


# --- Change a line's quantity -----------------------------------------------------------


def test_an_increase_before_the_po_is_approved_follows_into_the_supply(client, users, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"), approve=False)
    line = order.lines.get()
    client.force_login(users["clerk"])
    page = client.get(quantity_url(line))
    assert Decimal(page.context["form"]["quantity"].value()) == line.quantity
    assert "is not yet approved" in page.content.decode()

    response = client.post(quantity_url(line), form_data(quantity="3", reason="one more"))

    assert response["Location"] == order.get_absolute_url()
    line.refresh_from_db()
    po_line.refresh_from_db()
    assert line.quantity == po_line.quantity == Decimal("3")
    assert SupplyOrder.objects.get().quantity == RequisitionLine.objects.get().quantity == 3
    assert messages_of(client.get(order.get_absolute_url())) == [f"{line} now has quantity 3."]


def test_an_increase_once_the_supplier_has_the_po_adds_a_split_line(client, users, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    line = order.lines.get()
    client.force_login(users["clerk"])
    assert "a new line for the difference" in client.get(quantity_url(line)).content.decode()

    response = client.post(
        quantity_url(line), form_data(quantity="5", reason="bigger rollout"), follow=True
    )

    split = SalesOrderLine.objects.get(split_from=line)
    line.refresh_from_db()
    po_line.refresh_from_db()
    assert (split.line_number, split.quantity, split.status) == (2, 3, LineStatus.BOOKED)
    assert line.quantity == po_line.quantity == Decimal("2")  # as the supplier has it
    assert messages_of(response) == [
        "Line 2 added for 3 more, pegged to its own supply (split from line 1, whose "
        "purchase order stays as the supplier has it)."
    ]
    assert "split from line 1" in response.content.decode()  # the order page


def test_a_decrease_once_the_supplier_has_the_po_asks_the_buyer(client, users, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "3"))
    line = order.lines.get()
    client.force_login(users["clerk"])

    response = client.post(quantity_url(line), form_data(quantity="1", reason="budget cut"))

    line.refresh_from_db()
    po_line.refresh_from_db()
    assert line.quantity == po_line.quantity == Decimal("1")
    exception = BusinessException.objects.get()
    assert (exception.kind, exception.quantity) == (ExceptionKind.SUPPLIER_CHANGE, 2)
    assert messages_of(client.get(response["Location"])) == [
        f"{line} now has quantity 1. Asked of the buyer: {exception.message}"
    ]


@pytest.mark.parametrize(
    ("quantity", "error"),
    [
        ("0", "Quantity must be greater than zero."),
        ("-2", "Quantity must be greater than zero."),
        ("1.0001", "Quantity can have at most 3 decimal places."),
        ("1000000000000", "Quantity is too large."),
        ("many", "Enter a number."),
    ],
)
def test_a_wrong_quantity_is_refused_on_the_form(client, users, drive_to_po, quantity, error):
    order, _ = drive_to_po(("SRV-DL380-G11", "2"))
    client.force_login(users["clerk"])
    before, exceptions = snapshot(), exception_rows()

    response = client.post(
        quantity_url(order.lines.get()), form_data(quantity=quantity, reason="typo")
    )

    assert response.status_code == 200
    assert errors_of(response) == [error]
    assert snapshot() == before and exception_rows() == exceptions


def test_the_same_quantity_and_a_shipped_line_are_refused(client, users, shipped_order):
    line = shipped_order.lines.get()
    client.force_login(users["clerk"])
    before = snapshot()
    response = client.post(quantity_url(line), form_data(quantity="3", reason="more"))
    assert errors_of(response) == [f"{line} is Shipped: its quantity can no longer change."]
    assert snapshot() == before


def test_a_doubled_increase_adds_one_split_line(client, users, drive_to_po):
    order, _ = drive_to_po(("SRV-DL380-G11", "2"))
    line = order.lines.get()
    client.force_login(users["clerk"])
    data = form_data(quantity="4", reason="two more")
    first = client.post(quantity_url(line), data)
    assert first.status_code == 302
    before = snapshot()

    response = client.post(quantity_url(line), data)

    assert response.url == first.url  # lands where the first submit did
    assert FIRST_SUBMIT_DONE in messages_of(response)
    assert snapshot() == before
    assert SalesOrderLine.objects.filter(split_from=line).count() == 1


def test_user_text_is_escaped(client, world, users):
    line = place_order(world, ("SRV-DL380-G11", "1")).lines.get()
    client.force_login(users["clerk"])
    client.post(cancel_url(line), form_data(reason="<script>alert(1)</script>"))
    content = client.get(line.order.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
