"""The Exceptions work area: every open exception with its owner, age and actions, and
the pages that resolve a stored exception."""

from decimal import Decimal

import pytest
from django.urls import reverse

from orchestration.models import BusinessException, ExceptionStatus, Resolution
from orchestration.services import sales_order_line_cancel, sales_order_line_change_quantity
from orchestration.views.exceptions import resolve_url
from orchestration.work_area import LATE_SUPPLY
from procurement.models import POLineStatus, POStatus
from tests.factories import UserFactory
from tests.helpers import messages_of, queries_to_render, snapshot, unit_user
from tests.web.changes.support import errors_of, exception_rows, form_data

pytestmark = pytest.mark.django_db

EXCEPTIONS = reverse("orchestration:exceptions")


@pytest.fixture
def supplier_cancellation(world, drive_to_po):
    """An order line cancelled once the supplier had the PO: the buyer must decide."""
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    sales_order_line_cancel(
        actor=world.users["clerk"], sales_order_line=order.lines.get(), reason="lost the deal"
    )
    return BusinessException.objects.get(purchase_order_line=po_line)


@pytest.fixture
def po_change(world, drive_to_po):
    order, [po_line] = drive_to_po(("STO-A400-96T", "3"))
    sales_order_line_change_quantity(
        actor=world.users["clerk"],
        sales_order_line=order.lines.get(),
        quantity=Decimal("1"),
        reason="fewer",
    )
    return BusinessException.objects.get(purchase_order_line=po_line)


def rows_of(response) -> list[tuple]:
    return [
        (row.entry.kind, row.entry.owner_role, tuple(label for label, _url in row.actions))
        for row in response.context["rows"]
    ]


def test_every_kind_is_listed_with_its_owner_and_the_actions_the_user_may_take(
    client, users, add_exceptions
):
    add_exceptions(1)
    client.force_login(users["buyer"])
    response = client.get(EXCEPTIONS)
    assert response.status_code == 200
    assert sorted(rows_of(response)) == [
        ("AP hold: Quantity billed exceeds quantity received", "AP Accountant", ()),
        ("Late supply", "Buyer", ("Close Short",)),
        ("No usable sourcing rule", "Buyer", ()),  # cancelling the line is the clerk's
        ("PO change to send to the supplier", "Buyer", ("Acknowledge",)),
        ("Supplier cancellation needed", "Buyer", ("Cancel with Supplier", "Keep as Stock")),
    ]
    content = response.content.decode()
    for row in response.context["rows"]:
        assert row.entry.message in content
        if row.entry.sales_order_line:
            line = row.entry.sales_order_line
            assert reverse("orchestration:peg_trace", args=[line.pk]) in content
    late = next(row for row in response.context["rows"] if row.entry.kind == "Late supply")
    assert late.actions == [
        (
            "Close Short",
            reverse("orchestration:po_line_close_short", args=[late.po_line.pk])
            + "?next=%2Ftrace%2Fexceptions%2F",
        )
    ]
    assert late.document_url == late.entry.document.get_absolute_url()

    client.force_login(users["clerk"])
    assert sorted(rows_of(client.get(EXCEPTIONS)))[2] == (
        "No usable sourcing rule",
        "Buyer",
        ("Cancel Line",),
    )
    client.force_login(users["ap"])
    hold = next(
        row for row in client.get(EXCEPTIONS).context["rows"] if row.entry.kind[:7] == "AP hold"
    )
    # A quantity hold cannot be released by hand: it is adjusted or its invoice cancelled.
    assert hold.actions == [
        (
            "Adjust to Received",
            reverse("invoicing:hold_adjust_to_received", args=[hold.entry.ap_hold.pk]),
        ),
        ("Cancel Invoice", reverse("invoicing:ap_cancel", args=[hold.entry.document.pk])),
    ]


def test_the_list_is_filtered_by_owner_and_kind_and_searched(client, users, add_exceptions):
    add_exceptions(1)
    client.force_login(users["buyer"])
    kinds = {row[0] for row in rows_of(client.get(EXCEPTIONS, {"owner": "AP Accountant"}))}
    assert kinds == {"AP hold: Quantity billed exceeds quantity received"}
    assert [row[0] for row in rows_of(client.get(EXCEPTIONS, {"kind": "Late supply"}))] == [
        "Late supply"
    ]
    surplus = client.get(EXCEPTIONS, {"kind": "Surplus stock"})  # none open: an empty list
    assert surplus.context["rows"] == [] and "match these filters" in surplus.content.decode()
    assert [row[0] for row in rows_of(client.get(EXCEPTIONS, {"q": "no sourcing rule"}))] == [
        "No usable sourcing rule"
    ]
    newest = client.get(EXCEPTIONS, {"sort": "-opened"}).context["rows"]
    oldest = client.get(EXCEPTIONS, {"sort": "bogus"}).context["rows"]
    assert [row.entry for row in newest] == [row.entry for row in reversed(oldest)]


def test_the_buyer_cancels_with_the_supplier_and_the_decision_is_recorded(
    client, users, supplier_cancellation
):
    exception = supplier_cancellation
    client.force_login(users["buyer"])
    listed = client.get(EXCEPTIONS).context["rows"]
    [(label, url), _keep] = listed[0].actions
    assert (label, url) == ("Cancel with Supplier", resolve_url(exception, "cancel_with_supplier"))
    assert exception.message in client.get(url).content.decode()

    response = client.post(url, form_data(reason="supplier agreed by phone"), follow=True)

    exception.refresh_from_db()
    po_line = exception.purchase_order_line
    assert (exception.status, exception.resolution) == (
        ExceptionStatus.RESOLVED,
        Resolution.CANCELLED_WITH_SUPPLIER,
    )
    assert (exception.resolved_by, exception.resolution_reason) == (
        users["buyer"],
        "supplier agreed by phone",
    )
    latest = exception.history.latest()
    assert latest.history_user == users["buyer"]
    assert "supplier agreed by phone" in latest.history_change_reason
    assert po_line.status == POLineStatus.CANCELLED
    assert po_line.purchase_order.status == POStatus.CANCELLED
    assert po_line.history.latest().history_user == users["buyer"]
    assert messages_of(response) == [f"{exception} is resolved: Cancelled with the supplier."]
    assert response.context["rows"] == []  # back on the work area, nothing left open


def test_keep_as_stock_and_acknowledge(client, users, supplier_cancellation, po_change):
    client.force_login(users["buyer"])
    client.post(resolve_url(supplier_cancellation, "keep_as_stock"), form_data(reason="resell"))
    client.post(resolve_url(po_change, "acknowledge"), form_data(reason="emailed the supplier"))
    supplier_cancellation.refresh_from_db()
    po_change.refresh_from_db()
    assert supplier_cancellation.resolution == Resolution.KEPT_AS_STOCK
    assert supplier_cancellation.purchase_order_line.status == POLineStatus.OPEN
    assert (po_change.resolution, po_change.resolved_by) == (
        Resolution.ACKNOWLEDGED,
        users["buyer"],
    )


def test_refusals_are_shown_on_the_form_and_change_nothing(client, users, supplier_cancellation):
    url = resolve_url(supplier_cancellation, "cancel_with_supplier")
    client.force_login(users["buyer"])
    before, exceptions = snapshot(), exception_rows()
    assert errors_of(client.post(url, form_data(reason=" "))) == ["Say why."]
    assert snapshot() == before and exception_rows() == exceptions

    client.post(resolve_url(supplier_cancellation, "keep_as_stock"), form_data(reason="keep"))
    before, exceptions = snapshot(), exception_rows()
    response = client.post(url, form_data(reason="too late"))
    assert errors_of(response) == [f"{supplier_cancellation} is already Resolved."]
    assert snapshot() == before and exception_rows() == exceptions


def test_unknown_or_foreign_exceptions_are_404_and_other_roles_403(
    client, world, users, supplier_cancellation
):
    exception = supplier_cancellation
    resolve = reverse("orchestration:exception_resolve")
    client.force_login(users["buyer"])
    assert client.get(resolve_url(exception, "acknowledge")).status_code == 404  # wrong kind
    assert client.get(resolve, {"exception": exception.pk, "action": "delete"}).status_code == 404
    assert client.get(resolve, {"exception": "x", "action": "keep_as_stock"}).status_code == 404
    assert client.get(resolve)["Location"] == EXCEPTIONS  # nothing chosen: the work area
    client.force_login(unit_user(world, "eu_buyer", "Buyer"))
    assert client.get(resolve_url(exception, "keep_as_stock")).status_code == 404
    post = client.post(resolve_url(exception, "keep_as_stock"), form_data(reason="mine"))
    assert post.status_code == 404
    assert client.get(EXCEPTIONS).context["rows"] == []
    client.force_login(users["clerk"])
    assert client.get(resolve_url(exception, "keep_as_stock")).status_code == 403
    client.force_login(UserFactory(units=[world.units["US1"]]))
    assert client.get(EXCEPTIONS).status_code == 403
    client.force_login(users["ap"])  # no orders, but AP holds: the work area opens
    assert client.get(EXCEPTIONS).status_code == 200
    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.OPEN


@pytest.mark.parametrize("username", ["buyer", "admin"])
def test_the_number_of_queries_does_not_grow_with_the_exceptions(
    client, users, add_exceptions, username
):
    client.force_login(users[username])
    add_exceptions(1)
    with_5 = queries_to_render(client, EXCEPTIONS)
    assert len(client.get(EXCEPTIONS).context["rows"]) == 5
    add_exceptions(11)
    with_50 = queries_to_render(client, EXCEPTIONS)
    response = client.get(EXCEPTIONS, {"page": 2})
    assert response.context["total"] == 50
    assert len(response.context["rows"]) == 25
    # One query per kind of source on the page, at most: the five entries of the first
    # count come from four sources, every page of fifty from those four or fewer.
    assert with_50 <= with_5
    assert queries_to_render(client, EXCEPTIONS, page=2) <= with_5
    assert queries_to_render(client, EXCEPTIONS, kind=LATE_SUPPLY) == with_5 - 3
