"""The home dashboard: the pipeline, what waits on each role, the exceptions it owns."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from invoicing.services import APLineInput, ap_invoice_create, ap_invoice_validate
from orchestration.demo import bulk_book_orders
from orders.models import LineStatus, SalesOrderLine
from procurement.models import SupplyOrder, SupplyStatus
from procurement.services import orders_progress, supply_orders_generate
from tests.helpers import place_order, queries_to_render, receive, release, unit_user

pytestmark = pytest.mark.django_db

HOME = reverse("home")


def pipeline(response) -> dict[str, int]:
    return dict(response.context["pipeline"])


def waiting(response) -> dict[str, tuple[int, str | None]]:
    return {label: (count, url) for label, count, url in response.context["waiting"]}


@pytest.fixture
def unsourced_exception(world, unsourced_item):
    """An order of the item nobody sources: Generate Supply Orders flags its supply order."""
    order = place_order(world, (unsourced_item.number, "1"))
    orders_progress(actor=world.users["manager"], sales_order=order)
    supply_orders_generate(actor=world.users["buyer"])
    supply = SupplyOrder.objects.get(sales_order_line__order=order)
    assert supply.status == SupplyStatus.EXCEPTION
    return supply


def test_the_clerk_sees_the_pipeline_and_the_orders_to_submit(client, world, users):
    place_order(world, ("SRV-DL380-G11", "1"))
    place_order(world, ("SRV-R760-XA", "1"), ("STO-A400-96T", "2"))
    place_order(world, ("SRV-DL380-G11", "1"), book=False)
    client.force_login(users["clerk"])
    response = client.get(HOME)
    assert response.status_code == 200
    assert pipeline(response)["Booked"] == 3
    assert pipeline(response)["Entered"] == 1
    assert "Closed" not in pipeline(response)  # history: counted in Manage Orders only
    assert waiting(response) == {
        "Entered orders to submit": (1, reverse("orders:list") + "?status=ENTERED")
    }
    assert response.context["exceptions"] is None  # the clerk owns no kind of exception


def test_the_buyer_sees_requisitions_approvals_and_the_exceptions(
    client, world, users, drive_to_po, unsourced_exception
):
    drive_to_po(("SRV-DL380-G11", "1"), approve=False)  # a draft PO: nothing to approve yet
    place_order(world, ("SRV-R760-XA", "1"))
    orders_progress(actor=users["manager"], sales_order=None)
    supply_orders_generate(actor=users["buyer"])  # one requisition line awaiting a PO
    client.force_login(users["buyer"])
    response = client.get(HOME)
    counts = {label: count for label, (count, _url) in waiting(response).items()}
    assert counts == {
        "Requisition lines awaiting a purchase order": 1,
        "Purchase orders pending approval": 0,
    }
    [entry] = response.context["exceptions"]
    assert (entry.document, entry.owner_role) == (unsourced_exception, "Buyer")
    assert response.context["exception_count"] == 1
    content = response.content.decode()
    assert unsourced_exception.number in content
    assert unsourced_exception.exception_reason in content
    assert reverse("orchestration:peg_trace", args=[unsourced_exception.sales_order_line_id]) in (
        content
    )


def test_each_role_sees_only_its_own_work(client, world, users):
    expected = {
        "receiver": {"Open purchase orders to receive"},
        "shipper": {"Reserved lines to pick release", "Shipments to ship confirm"},
        "ap": {"Draft AP invoices to validate", "AP invoices on hold"},
        "ar": {"Shipped lines to invoice (Import AutoInvoice)", "Draft AR invoices to complete"},
        "ops": set(),
    }
    for username, labels in expected.items():
        client.force_login(users[username])
        response = client.get(HOME)
        assert set(waiting(response)) == labels, username
    client.force_login(users["receiver"])
    assert client.get(HOME).context["exceptions"] is None  # receivers own no exception


def test_the_counts_follow_the_documents(client, world, users, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))

    def count(username, label):
        client.force_login(users[username])
        return waiting(client.get(HOME))[label][0]

    assert count("receiver", "Open purchase orders to receive") == 1
    assert count("shipper", "Reserved lines to pick release") == 0
    receive(world, po_line, "2")
    assert count("receiver", "Open purchase orders to receive") == 0  # closed for receiving
    assert count("shipper", "Reserved lines to pick release") == 1
    release(world, sales_order=order)
    assert count("shipper", "Reserved lines to pick release") == 0
    assert count("shipper", "Shipments to ship confirm") == 1


def test_another_units_user_sees_none_of_it(client, world, unsourced_exception):
    place_order(world, ("SRV-DL380-G11", "1"), book=False)
    client.force_login(unit_user(world, "eu_buyer", "Buyer"))
    response = client.get(HOME)
    assert set(pipeline(response).values()) == {0}
    assert response.context["exceptions"] == []
    assert unsourced_exception.number not in response.content.decode()


def test_closed_and_cancelled_lines_change_no_number_nor_the_queries(client, world, users):
    """Finished lines are history: the dashboard counts open work only, so neither its
    numbers nor its queries move when thousands of lines have closed."""
    place_order(world, ("SRV-DL380-G11", "1"))
    place_order(world, ("SRV-DL380-G11", "1"), book=False)
    client.force_login(users["admin"])
    before = client.get(HOME)
    queries = queries_to_render(client, HOME)
    finished = [line.pk for line in bulk_book_orders(world, count=30)]
    SalesOrderLine.objects.filter(pk__in=finished[:20]).update(status=LineStatus.CLOSED)
    SalesOrderLine.objects.filter(pk__in=finished[20:]).update(status=LineStatus.CANCELLED)
    response = client.get(HOME)
    assert pipeline(response) == pipeline(before) and pipeline(response)["Booked"] == 1
    assert {"Closed", "Cancelled"}.isdisjoint(pipeline(response))
    assert waiting(response) == waiting(before)
    assert response.context["at_risk_count"] == before.context["at_risk_count"] == 0
    assert queries_to_render(client, HOME) == queries


def test_anonymous_users_sign_in_first(client):
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def unsourced_orders(world, count: int):
    """``count`` booked orders of an item nobody sources, each with its supply exception."""
    bulk_book_orders(world, count=count, item_number="SRV-NO-RULE")
    orders_progress(actor=world.users["manager"])
    supply_orders_generate(actor=world.users["buyer"])


@pytest.mark.parametrize("username", ["clerk", "buyer", "admin"])
def test_the_number_of_queries_does_not_grow_with_the_rows(
    client, world, users, unsourced_exception, username
):
    client.force_login(users[username])
    unsourced_orders(world, 4)
    with_5 = queries_to_render(client, HOME)
    unsourced_orders(world, 195)
    assert queries_to_render(client, HOME) == with_5
    response = client.get(HOME)
    assert pipeline(response)["Awaiting Supply"] == 200
    if username != "clerk":
        assert response.context["exception_count"] == 200
        assert len(response.context["exceptions"]) == 10


def test_the_ap_accountant_owns_the_holds_not_the_supply_exceptions(
    client, world, users, drive_to_po, unsourced_exception
):
    _order, [po_line] = drive_to_po(("SRV-DL380-G11", "1"))
    invoice = ap_invoice_create(
        actor=users["ap"],
        purchase_order=po_line.purchase_order,
        supplier_invoice_number="EARLY-1",
        invoice_date=timezone.localdate(),
        lines=[APLineInput(purchase_order_line=po_line, quantity=Decimal("1"))],
    )
    ap_invoice_validate(actor=users["ap"], invoice=invoice)  # nothing received: a hold
    client.force_login(users["ap"])
    response = client.get(HOME)
    assert [(entry.document, entry.owner_role) for entry in response.context["exceptions"]] == [
        (invoice, "AP Accountant")
    ]
    assert unsourced_exception.number not in response.content.decode()
    assert waiting(response)["AP invoices on hold"][0] == 1


@pytest.mark.parametrize(
    ("username", "shortcuts"),
    [
        ("buyer", []),
        ("ops", ["Scheduled Processes"]),
        ("admin", ["Scheduled Processes", "Documents in the admin"]),
    ],
)
def test_shortcuts_only_when_there_is_one(client, world, username, shortcuts):
    """A user with no shortcut sees no empty "Shortcuts" heading."""
    client.force_login(world.users[username])
    content = client.get(HOME).content.decode()
    assert ('<h2 class="h5">Shortcuts</h2>' in content) == bool(shortcuts)
    for name in shortcuts:
        assert f">{name}</a></li>" in content
