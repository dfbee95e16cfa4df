"""The buyer's pages: Process Requisitions and the Document Builder, Manage Purchase Orders,
the PO page with submit, approve and reject, and the printable PO."""

from decimal import Decimal

import pytest
from django.urls import reverse

from b2b_portal.web import FIRST_SUBMIT_DONE
from procurement.forms import REJECTION_REASON_REQUIRED
from procurement.models import POStatus, PurchaseOrder, RequisitionLine, RequisitionStatus
from procurement.services import (
    orders_progress,
    purchase_order_submit,
    purchase_orders_autocreate,
    supply_orders_generate,
)
from procurement.views import DocumentBuilder
from tests.factories import UserFactory
from tests.helpers import messages_of, place_order, queries_to_render, snapshot, unit_user
from tests.web.procurement.support import purchase_orders_in_bulk, requisition_lines_in_bulk

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer_client(client, users):
    client.force_login(users["buyer"])
    return client


def requisition_lines_for(world, *lines, **order):
    """Book an order of ``lines`` and carry it to approved requisition lines."""
    order = place_order(world, *lines, **order)
    orders_progress(actor=world.users["manager"], sales_order=order)
    supply_orders_generate(actor=world.users["buyer"])
    return list(RequisitionLine.objects.filter(sales_order_line__order=order).order_by("pk"))


def builder_token(client) -> str:
    return (
        client.get(reverse("procurement:document_builder"))
        .context["form"]["submission_token"]
        .value()
    )


# --- Process Requisitions and the Document Builder -------------------------------------


def test_two_suppliers_make_two_purchase_orders_each_line_pegged(world, buyer_client):
    server, gpu = requisition_lines_for(world, ("SRV-DL380-G11", "1"), ("SRV-R760-XA", "2"))
    assert server.supplier != gpu.supplier

    page = buyer_client.get(reverse("procurement:requisitions"))
    assert {line.pk for line in page.context["requisition_lines"]} == {server.pk, gpu.pk}

    added = buyer_client.post(
        reverse("procurement:document_builder_add"), {"lines": [server.pk, gpu.pk]}
    )
    assert added["Location"] == reverse("procurement:document_builder")
    builder = buyer_client.get(reverse("procurement:document_builder"))
    drafts = builder.context["drafts"]
    assert sorted(draft.first.supplier.number for draft in drafts) == ["S-100", "S-300"]
    assert [len(draft.lines) for draft in drafts] == [1, 1]

    created = buyer_client.post(
        reverse("procurement:document_builder"), {"submission_token": builder_token(buyer_client)}
    )
    purchase_orders = list(PurchaseOrder.objects.order_by("pk"))
    assert len(purchase_orders) == 2
    assert created["Location"] == purchase_orders[0].get_absolute_url()
    [message] = messages_of(created)
    assert all(po.number in message for po in purchase_orders)
    for requisition_line in (server, gpu):
        po_line = requisition_line.purchase_order_lines.get()
        assert po_line.sales_order_line == requisition_line.sales_order_line
        assert po_line.purchase_order.supplier == requisition_line.supplier
        assert po_line.purchase_order.status == POStatus.DRAFT
    assert DocumentBuilder(buyer_client.session).line_ids == []
    assert set(RequisitionLine.objects.values_list("status", flat=True)) == {
        RequisitionStatus.ORDERED
    }

    detail = buyer_client.get(purchase_orders[0].get_absolute_url())
    peg = purchase_orders[0].lines.get().sales_order_line
    assert peg.get_absolute_url() in detail.content.decode()
    assert peg.order.get_absolute_url() in detail.content.decode()


def test_remove_and_clear_empty_the_builder(world, buyer_client):
    first, second = requisition_lines_for(world, ("SRV-DL380-G11", "1"), ("SRV-R760-XA", "1"))
    buyer_client.post(reverse("procurement:document_builder_add"), {"lines": [first.pk, second.pk]})
    buyer_client.post(reverse("procurement:document_builder_remove", args=[first.pk]))
    assert DocumentBuilder(buyer_client.session).line_ids == [second.pk]
    buyer_client.post(reverse("procurement:document_builder_clear"))
    assert DocumentBuilder(buyer_client.session).line_ids == []
    assert not PurchaseOrder.objects.exists()


def test_lines_ordered_meanwhile_are_refused_with_the_services_message(world, buyer_client):
    [line] = requisition_lines_for(world, ("SRV-DL380-G11", "1"))
    buyer_client.post(reverse("procurement:document_builder_add"), {"lines": [line.pk]})
    token = builder_token(buyer_client)
    purchase_orders_autocreate(actor=world.users["buyer"])  # AutoCreate got there first
    before = snapshot()

    response = buyer_client.post(
        reverse("procurement:document_builder"), {"submission_token": token}
    )

    assert response.status_code == 200
    assert "no longer awaiting a PO" in response.content.decode()
    assert snapshot() == before


def test_a_double_submit_of_create_makes_the_purchase_orders_once(world, buyer_client):
    [line] = requisition_lines_for(world, ("SRV-DL380-G11", "1"))
    buyer_client.post(reverse("procurement:document_builder_add"), {"lines": [line.pk]})
    token = builder_token(buyer_client)
    url = reverse("procurement:document_builder")
    first = buyer_client.post(url, {"submission_token": token})
    assert first.status_code == 302
    again = buyer_client.post(url, {"submission_token": token})
    assert again.url == first.url
    assert FIRST_SUBMIT_DONE in messages_of(again)
    assert PurchaseOrder.objects.count() == 1


def test_only_awaiting_lines_of_the_buyers_units_can_be_added(world, buyer_client):
    world.units["EU1"].members.add(world.users["clerk"])
    [eu_line] = requisition_lines_for(
        world, ("SRV-DL380-EU", "1"), customer="C-2001", unit="EU1", warehouse="E1"
    )

    page = buyer_client.get(reverse("procurement:requisitions"))
    assert eu_line not in page.context["requisition_lines"]
    response = buyer_client.post(
        reverse("procurement:document_builder_add"), {"lines": [eu_line.pk]}
    )
    assert response["Location"] == reverse("procurement:requisitions")
    assert "no longer awaiting a PO" in " ".join(messages_of(response))
    assert DocumentBuilder(buyer_client.session).line_ids == []
    remove = reverse("procurement:document_builder_remove", args=[eu_line.pk])
    assert buyer_client.post(remove).status_code == 404


def test_requisitions_filter_by_supplier_and_item_and_sort(world, buyer_client):
    server, gpu = requisition_lines_for(world, ("SRV-DL380-G11", "1"), ("SRV-R760-XA", "2"))
    url = reverse("procurement:requisitions")

    def shown(**params):
        return [line.pk for line in buyer_client.get(url, params).context["requisition_lines"]]

    assert shown(supplier=world.suppliers["S-300"].pk) == [gpu.pk]
    assert shown(item=world.items["SRV-DL380-G11"].pk) == [server.pk]
    assert shown(sort="-quantity") == [gpu.pk, server.pk]
    assert shown(sort="quantity") == [server.pk, gpu.pk]
    assert sorted(shown(sort="sales_order_line__order__customer__name; drop")) == sorted(
        [server.pk, gpu.pk]
    )


# --- Manage Purchase Orders and the PO page --------------------------------------------


def test_manage_purchase_orders_search(world, buyer_client, drive_to_po):
    _, [draft_line] = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    _, [open_line] = drive_to_po(("SRV-R760-XA", "3"))
    draft, opened = draft_line.purchase_order, open_line.purchase_order
    url = reverse("procurement:po_list")

    def shown(**params):
        return [po.pk for po in buyer_client.get(url, params).context["purchase_orders"]]

    assert shown() == [opened.pk, draft.pk]
    assert shown(number=draft.number) == [draft.pk]
    assert shown(number=str(draft.pk)) == [draft.pk]
    assert shown(supplier=world.suppliers["S-300"].pk) == [opened.pk]
    assert shown(item=world.items["SRV-DL380-G11"].pk) == [draft.pk]
    assert shown(status=POStatus.OPEN) == [opened.pk]
    page = buyer_client.get(url, {"sort": "total"})
    assert [po.total for po in page.context["purchase_orders"]] == [
        Decimal("39800.00"),
        Decimal("243000.00"),
    ]
    bad = buyer_client.get(url, {"number": "SO-12"})
    assert list(bad.context["purchase_orders"]) == []
    assert "Enter a number such as PO-000123 or 123." in bad.content.decode()


def test_submit_then_approve_opens_the_po(world, buyer_client, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    purchase_order = po_line.purchase_order
    buyer = world.users["buyer"]

    page = buyer_client.get(purchase_order.get_absolute_url())
    assert (page.context["can_submit"], page.context["can_approve"]) == (True, False)
    assert reverse("procurement:po_approve", args=[purchase_order.pk]) not in page.content.decode()

    buyer_client.post(reverse("procurement:po_submit", args=[purchase_order.pk]))
    purchase_order.refresh_from_db()
    assert purchase_order.status == POStatus.PENDING_APPROVAL
    page = buyer_client.get(purchase_order.get_absolute_url())
    assert (page.context["can_submit"], page.context["can_approve"]) == (False, True)

    response = buyer_client.post(reverse("procurement:po_approve", args=[purchase_order.pk]))
    assert response["Location"] == purchase_order.get_absolute_url()
    purchase_order.refresh_from_db()
    assert purchase_order.status == POStatus.OPEN
    assert purchase_order.approved_by == buyer
    latest = purchase_order.history.first()
    assert (latest.history_user, latest.status) == (buyer, POStatus.OPEN)
    assert {record.history_user for record in purchase_order.history.all()} == {buyer}

    again = buyer_client.post(reverse("procurement:po_approve", args=[purchase_order.pk]))
    assert "cannot approve now" in " ".join(messages_of(again))


def test_reject_needs_a_reason_and_returns_the_po_to_draft(world, buyer_client, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    purchase_order = purchase_order_submit(
        actor=world.users["buyer"], purchase_order=po_line.purchase_order
    )
    url = reverse("procurement:po_reject", args=[purchase_order.pk])
    assert buyer_client.get(url).status_code == 200
    before = snapshot()

    blank = buyer_client.post(url, {"reason": "   "})
    assert blank.status_code == 200
    assert REJECTION_REASON_REQUIRED in blank.content.decode()
    assert snapshot() == before

    response = buyer_client.post(url, {"reason": "Price is <b>above</b> contract"})
    assert response["Location"] == purchase_order.get_absolute_url()
    purchase_order.refresh_from_db()
    assert purchase_order.status == POStatus.DRAFT
    assert purchase_order.rejection_reason == "Price is <b>above</b> contract"
    page = buyer_client.get(purchase_order.get_absolute_url()).content.decode()
    assert "Price is &lt;b&gt;above&lt;/b&gt; contract" in page


def test_approving_without_the_approve_permission_is_403_and_changes_nothing(
    world, client, drive_to_po
):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    purchase_order = purchase_order_submit(
        actor=world.users["buyer"], purchase_order=po_line.purchase_order
    )
    junior = UserFactory(
        permissions=[
            "procurement.view_purchaseorder",
            "procurement.change_purchaseorder",
            "procurement.add_purchaseorder",
        ],
        units=[world.units["US1"]],
    )
    client.force_login(junior)
    before = snapshot()

    for action in ("po_approve", "po_reject"):
        response = client.post(
            reverse(f"procurement:{action}", args=[purchase_order.pk]), {"reason": "x"}
        )
        assert response.status_code == 403
    assert snapshot() == before
    page = client.get(purchase_order.get_absolute_url())
    assert (page.context["can_approve"], page.context["can_reject"]) == (False, False)
    assert "Approve</button>" not in page.content.decode()


def test_the_printable_po_shows_what_the_supplier_needs(world, buyer_client, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-R760-XA", "3"))
    purchase_order = po_line.purchase_order
    page = buyer_client.get(reverse("procurement:po_print", args=[purchase_order.pk]))
    content = page.content.decode()
    assert purchase_order.number in content
    for text in ("Fabrikam Hardware", "Seattle Manufacturing", "SRV-R760-XA", "243,000.00", "USD"):
        assert text in content
    assert "d-print-none" in content


# --- who may see what ------------------------------------------------------------------


def test_a_clerk_gets_403_on_the_buyers_pages(world, client, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    pk = po_line.purchase_order.pk
    client.force_login(world.users["clerk"])
    for name, args in [
        ("requisitions", []),
        ("document_builder", []),
        ("po_list", []),
        ("po_detail", [pk]),
        ("po_print", [pk]),
        ("po_reject", [pk]),
    ]:
        assert client.get(reverse(f"procurement:{name}", args=args)).status_code == 403, name
    before = snapshot()
    for name in ("po_submit", "po_approve"):
        assert client.post(reverse(f"procurement:{name}", args=[pk])).status_code == 403
    assert snapshot() == before


def test_an_eu1_buyer_gets_404_on_a_us1_purchase_order(world, client, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    pk = po_line.purchase_order.pk
    client.force_login(unit_user(world, "eu_buyer", "Buyer"))
    for name in ("po_detail", "po_print", "po_reject"):
        assert client.get(reverse(f"procurement:{name}", args=[pk])).status_code == 404
    before = snapshot()
    for name in ("po_submit", "po_approve", "po_reject"):
        response = client.post(reverse(f"procurement:{name}", args=[pk]), {"reason": "x"})
        assert response.status_code == 404
    assert snapshot() == before
    assert list(client.get(reverse("procurement:po_list")).context["purchase_orders"]) == []


# --- constant queries ------------------------------------------------------------------


def test_process_requisitions_reads_a_constant_number_of_queries(world, buyer_client):
    url = reverse("procurement:requisitions")
    searches = [{}, {"supplier": world.suppliers["S-100"].pk}, {"sort": "-amount"}]
    requisition_lines_in_bulk(world, 5)
    few = [queries_to_render(buyer_client, url, **search) for search in searches]
    requisition_lines_in_bulk(world, 195)
    assert RequisitionLine.objects.count() == 200
    assert [queries_to_render(buyer_client, url, **search) for search in searches] == few
    assert queries_to_render(buyer_client, url, page=2) == few[0]


@pytest.mark.slow
def test_manage_purchase_orders_reads_a_constant_number_of_queries(world, buyer_client):
    url = reverse("procurement:po_list")
    searches = [{}, {"item": world.items["SRV-DL380-G11"].pk, "status": "DRAFT"}, {"sort": "total"}]
    purchase_orders_in_bulk(world, 5)
    few = [queries_to_render(buyer_client, url, **search) for search in searches]
    purchase_orders_in_bulk(world, 195)
    assert PurchaseOrder.objects.count() == 200
    assert [queries_to_render(buyer_client, url, **search) for search in searches] == few
    assert queries_to_render(buyer_client, url, page=3) == few[0]
