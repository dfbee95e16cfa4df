"""Add pages that create documents through their services, and the buttons that run a
scheduled process now (logged as a run)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from invoicing.models import APInvoice, APStatus, ARInvoice
from orders.models import LineStatus, SalesOrder
from processes.models import ProcessRun, RunStatus, Trigger
from procurement.models import SupplyOrder, SupplyStatus
from shipping.models import PickWave
from tests.admin.support import admin_url, changelist_url
from tests.helpers import messages_of, place_order, receive, ship, snapshot

pytestmark = pytest.mark.django_db


def _order_form(world, today, *, customer="C-1001", quantity="2", price=""):
    return {
        "business_unit": world.units["US1"].pk,
        "customer": world.customers[customer].pk,
        "customer_po_number": "ACME-77",
        "warehouse": world.warehouses["M1"].pk,
        "ordered_date": today.isoformat(),
        "requested_date": (today + timedelta(days=20)).isoformat(),
        "lines-TOTAL_FORMS": 1,
        "lines-INITIAL_FORMS": 0,
        "lines-MIN_NUM_FORMS": 0,
        "lines-MAX_NUM_FORMS": 1000,
        "lines-0-item": world.items["SRV-DL380-G11"].pk,
        "lines-0-quantity": quantity,
        "lines-0-unit_selling_price": price,
        "_save": "Save",
    }


def test_a_clerk_enters_an_order_through_the_service(client, world, today):
    clerk = world.users["clerk"]
    client.force_login(clerk)
    assert client.get(admin_url(SalesOrder, "add")).status_code == 200

    response = client.post(admin_url(SalesOrder, "add"), _order_form(world, today))

    assert response.status_code == 302
    order = SalesOrder.objects.get(customer_po_number="ACME-77")
    assert order.created_by == clerk
    assert order.currency_code == "USD"
    line = order.lines.get()
    assert (line.line_number, line.quantity, line.status) == (1, Decimal("2"), LineStatus.ENTERED)
    assert line.unit_selling_price == Decimal("48500.00")  # the list price
    assert line.requested_date == today + timedelta(days=20)
    assert order.history.get().history_user == clerk
    assert line.history.get().history_user == clerk
    # Afterwards the order is read-only in the admin: a change page shows no form fields.
    page = client.get(admin_url(SalesOrder, "change", order.pk))
    assert page.status_code == 200
    assert not page.context["adminform"].form.fields


def test_an_order_the_service_refuses_is_shown_again_with_the_reason(client, world, today):
    client.force_login(world.users["admin"])  # works in both units: the service refuses
    before = snapshot()

    response = client.post(
        admin_url(SalesOrder, "add"), _order_form(world, today, customer="C-2001")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert errors == [f"The customer {world.customers['C-2001']} belongs to another business unit."]
    assert response.context["adminform"].form["customer_po_number"].value() == "ACME-77"
    assert snapshot() == before


def test_a_clerk_is_not_offered_another_units_customer(client, world, today):
    client.force_login(world.users["clerk"])  # US1 only
    before = snapshot()
    response = client.post(
        admin_url(SalesOrder, "add"), _order_form(world, today, customer="C-2001")
    )
    assert response.status_code == 200
    assert "Select a valid choice" in " ".join(
        response.context["adminform"].form.errors["customer"]
    )
    assert snapshot() == before


def test_an_ap_accountant_enters_an_invoice_through_the_service(client, world, drive_to_po, today):
    _, po_lines = drive_to_po(("SRV-DL380-G11", "1"))
    ap = world.users["ap"]
    client.force_login(ap)
    assert client.get(admin_url(APInvoice, "add")).status_code == 200

    response = client.post(
        admin_url(APInvoice, "add"),
        {
            "purchase_order": po_lines[0].purchase_order_id,
            "supplier_invoice_number": "NW-2001",
            "invoice_date": today.isoformat(),
            "lines-TOTAL_FORMS": 1,
            "lines-INITIAL_FORMS": 0,
            "lines-MIN_NUM_FORMS": 0,
            "lines-MAX_NUM_FORMS": 1000,
            "lines-0-purchase_order_line": po_lines[0].pk,
            "lines-0-quantity": "1",
            "lines-0-unit_price": "",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    invoice = APInvoice.objects.get(supplier_invoice_number="NW-2001")
    assert invoice.status == APStatus.DRAFT
    assert invoice.created_by == ap
    assert invoice.lines.get().unit_price == po_lines[0].unit_price
    assert invoice.history.get().history_user == ap


def test_a_shipping_clerk_pick_releases_from_the_add_page(client, world, drive_to_po):
    order, po_lines = drive_to_po(("SRV-DL380-G11", "1"))
    receive(world, po_lines[0], "1")
    shipper = world.users["shipper"]
    client.force_login(shipper)
    form = {
        "business_unit": world.units["US1"].pk,
        "warehouse": world.warehouses["M1"].pk,
        "customer": "",
        "sales_order": order.number,
        "requested_by": "",
        "_save": "Save",
    }

    response = client.post(admin_url(PickWave, "add"), form)

    assert response.status_code == 302
    wave = PickWave.objects.get()
    assert wave.released_by == shipper
    assert [line.sales_order_line for line in wave.shipments.get().lines.all()] == [
        order.lines.get()
    ]
    again = client.post(admin_url(PickWave, "add"), form)
    assert again.status_code == 200
    assert again.context["adminform"].form.non_field_errors() == [
        "No reserved lines are waiting to be released for these criteria."
    ]
    assert PickWave.objects.count() == 1


def test_a_process_button_runs_the_process_through_the_run_log(
    client, world, drive_to_po, django_capture_on_commit_callbacks
):
    order, po_lines = drive_to_po(("SRV-DL380-G11", "1"))
    receive(world, po_lines[0], "1")
    ship(world)
    ar = world.users["ar"]
    client.force_login(ar)
    url = admin_url(ARInvoice, "run_process", "autoinvoice_import")
    assert url in client.get(changelist_url(ARInvoice)).content.decode()
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Run Import AutoInvoice" in confirm.content.decode()
    assert not ARInvoice.objects.exists()  # the confirmation page runs nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)

    run = ProcessRun.objects.get(process="autoinvoice_import")
    assert run.trigger == Trigger.MANUAL
    assert run.requested_by == ar
    assert run.parameters == {"business_unit": world.units["US1"].pk}
    assert run.status == RunStatus.SUCCEEDED
    assert any(str(run) in message for message in messages_of(response))
    invoice = ARInvoice.objects.get(sales_order=order)
    assert invoice.lines.get().sales_order_line == order.lines.get()
    assert invoice.history.get().history_user == ar


def test_generate_supply_orders_button(client, world, django_capture_on_commit_callbacks):
    order = place_order(world, ("SRV-DL380-G11", "1"))
    from procurement.services import orders_progress

    orders_progress(actor=world.users["manager"], sales_order=order)
    manager = world.users["manager"]
    client.force_login(manager)
    url = admin_url(SupplyOrder, "run_process", "generate_supply_orders")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)

    supply_order = SupplyOrder.objects.get(sales_order_line__order=order)
    assert supply_order.status == SupplyStatus.REQUISITIONED
    assert supply_order.history.latest().history_user == manager


def test_a_process_button_is_refused_without_the_permission(client, world):
    client.force_login(world.users["clerk"])
    url = admin_url(SupplyOrder, "run_process", "generate_supply_orders")
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert url not in client.get(changelist_url(SupplyOrder)).content.decode()
    assert not ProcessRun.objects.filter(process="generate_supply_orders").exists()
