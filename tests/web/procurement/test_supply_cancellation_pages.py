"""The buyer's pages that cancel supply and re-source it: cancel a PO line or a PO from the
PO page, cancel a requisition line from Process Requisitions, and re-source the supply
order from the Exceptions work area (issue 10, items 1 and 2)."""

import pytest
from django.urls import reverse

from procurement.models import (
    POLineStatus,
    POStatus,
    PurchaseOrderLine,
    RequisitionLine,
    RequisitionStatus,
    SourcingRule,
    SupplyOrder,
    SupplyStatus,
)
from procurement.services import orders_progress, purchase_order_line_cancel, supply_orders_generate
from tests.helpers import messages_of, place_order, receive, snapshot, unit_user
from tests.web.changes.support import errors_of, form_data

pytestmark = pytest.mark.django_db


def po_line_cancel_url(po_line) -> str:
    return reverse("procurement:po_line_cancel", args=[po_line.pk])


def resource_url(supply) -> str:
    return reverse("procurement:supply_resource", args=[supply.pk])


@pytest.fixture
def approved_line(drive_to_po):
    _order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    return po_line


@pytest.fixture
def cancelled_supply(world, approved_line):
    purchase_order_line_cancel(
        actor=world.users["buyer"],
        purchase_order_line=approved_line,
        reason="discontinued",
        on_supplier_word=True,
    )
    return SupplyOrder.objects.get(sales_order_line=approved_line.sales_order_line)


def test_the_po_page_offers_cancel_to_the_buyer_only(client, users, approved_line):
    url = approved_line.purchase_order.get_absolute_url()
    client.force_login(users["buyer"])
    content = client.get(url).content.decode()
    assert po_line_cancel_url(approved_line) in content
    assert reverse("procurement:po_cancel", args=[approved_line.purchase_order_id]) in content
    client.force_login(users["receiver"])
    assert po_line_cancel_url(approved_line) not in client.get(url).content.decode()


def test_cancelling_a_po_line_on_the_page(client, users, approved_line):
    client.force_login(users["buyer"])
    page = client.get(po_line_cancel_url(approved_line))
    assert page.status_code == 200
    response = client.post(
        po_line_cancel_url(approved_line),
        form_data(reason="supplier discontinued the model", on_supplier_word="on"),
        follow=True,
    )
    approved_line.refresh_from_db()
    assert approved_line.status == POLineStatus.CANCELLED
    assert approved_line.cancel_reason == (
        "cancelled on the supplier's word: supplier discontinued the model"
    )
    assert approved_line.purchase_order.status == POStatus.CANCELLED
    assert any("re-source it or cancel the demand" in m for m in messages_of(response))
    assert "supplier discontinued the model" in response.content.decode()  # on the PO page


def test_a_partly_received_line_is_refused_on_the_form(client, world, users, approved_line):
    receive(world, approved_line, "1")
    client.force_login(users["buyer"])
    before = snapshot()
    response = client.post(po_line_cancel_url(approved_line), form_data(reason="late"))
    assert response.status_code == 200
    assert any("close it short instead" in error for error in errors_of(response))
    assert snapshot() == before


def test_cancel_pages_answer_403_to_other_roles_and_404_to_other_units(
    client, world, users, approved_line, cancelled_supply
):
    urls = [
        po_line_cancel_url(approved_line),
        reverse("procurement:po_cancel", args=[approved_line.purchase_order_id]),
        resource_url(cancelled_supply),
        reverse("procurement:requisition_line_cancel", args=[approved_line.requisition_line_id]),
    ]
    client.force_login(users["clerk"])
    assert [client.get(url).status_code for url in urls] == [403, 403, 403, 403]
    client.force_login(unit_user(world, "eu-buyer", "Buyer"))
    assert [client.get(url).status_code for url in urls] == [404, 404, 404, 404]


def test_the_work_area_offers_resource_and_cancel_demand(client, users, cancelled_supply):
    client.force_login(users["buyer"])
    content = client.get(reverse("orchestration:exceptions")).content.decode()
    assert "Supply cancelled" in content
    assert resource_url(cancelled_supply) in content
    client.force_login(users["clerk"])
    content = client.get(reverse("orchestration:exceptions")).content.decode()
    line_cancel = reverse("orchestration:line_cancel", args=[cancelled_supply.sales_order_line_id])
    assert line_cancel in content and "Cancel Demand" in content
    assert resource_url(cancelled_supply) not in content


def test_resourcing_on_the_page_makes_a_draft_po_from_the_chosen_supplier(
    client, world, users, cancelled_supply
):
    rule = SourcingRule.objects.get(
        item=world.items["SRV-DL380-G11"], supplier=world.suppliers["S-300"]
    )
    client.force_login(users["buyer"])
    page = client.get(resource_url(cancelled_supply))
    assert "Fabrikam Hardware" in page.content.decode()
    response = client.post(
        resource_url(cancelled_supply),
        form_data(sourcing_rule=rule.pk, reason="Northwind cannot deliver"),
    )
    new = PurchaseOrderLine.objects.exclude(status=POLineStatus.CANCELLED).get()
    assert response.status_code == 302 and response.url == new.purchase_order.get_absolute_url()
    assert new.purchase_order.supplier == world.suppliers["S-300"]
    assert new.sales_order_line == cancelled_supply.sales_order_line
    cancelled_supply.refresh_from_db()
    assert cancelled_supply.status == SupplyStatus.ORDERED


def test_cancelling_a_requisition_line_on_the_page(client, world, users):
    order = place_order(world, ("SRV-DL380-G11", "2"))
    orders_progress(actor=users["manager"], sales_order=order)
    supply_orders_generate(actor=users["buyer"])
    requisition_line = RequisitionLine.objects.get()
    url = reverse("procurement:requisition_line_cancel", args=[requisition_line.pk])
    client.force_login(users["buyer"])
    assert url in client.get(reverse("procurement:requisitions")).content.decode()
    response = client.post(url, form_data(then="resource", reason="faster"))
    assert errors_of(response) == ["Choose the supplier to buy from."]
    response = client.post(url, form_data(then="open", reason="wrong supplier"), follow=True)
    requisition_line.refresh_from_db()
    assert requisition_line.status == RequisitionStatus.CANCELLED
    assert SupplyOrder.objects.get().status == SupplyStatus.OPEN
    assert any("next Generate Supply Orders" in m for m in messages_of(response))


def test_the_order_page_offers_resource_on_the_line_and_says_why(client, users, cancelled_supply):
    order_url = cancelled_supply.sales_order_line.order.get_absolute_url()
    client.force_login(users["buyer"])
    content = client.get(order_url).content.decode()
    assert resource_url(cancelled_supply) in content
    client.force_login(users["clerk"])
    content = client.get(order_url).content.decode()
    assert resource_url(cancelled_supply) not in content  # the clerk cancels the demand
    assert "Re-source it or cancel the demand" in content  # and sees why
    assert reverse("orchestration:line_cancel", args=[cancelled_supply.sales_order_line_id]) in (
        content
    )
