"""The AP Accountant's workbench: Create Invoice from a PO, Validate, holds, Pay."""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from b2b_portal.web import FIRST_SUBMIT_DONE
from invoicing.models import APInvoice, APStatus, HoldReason
from procurement.models import POStatus, PurchaseOrder
from tests.helpers import messages_of, queries_to_render, receive, snapshot, unit_user
from tests.web.procurement.support import purchase_orders_in_bulk
from tests.web.shipping.support import ap_invoices_in_bulk

pytestmark = pytest.mark.django_db


@pytest.fixture
def ap(client, users):
    client.force_login(users["ap"])
    return client


@pytest.fixture
def po_line(world, drive_to_po):
    """A PO line of 2 servers at 39,800.00, approved, nothing received yet."""
    _, [line] = drive_to_po(("SRV-DL380-G11", "2"))
    return line


def invoice_data(po_line, quantity, unit_price="", number="INV-1", token=None):
    return {
        "supplier_invoice_number": number,
        "invoice_date": timezone.localdate().isoformat(),
        f"quantity_{po_line.pk}": quantity,
        f"unit_price_{po_line.pk}": unit_price,
        "submission_token": token or uuid.uuid4().hex,
    }


def create_url(po_line):
    return reverse("invoicing:ap_create_for_po", args=[po_line.purchase_order_id])


def enter(client, po_line, quantity, unit_price="", number="INV-1") -> APInvoice:
    response = client.post(create_url(po_line), invoice_data(po_line, quantity, unit_price, number))
    invoice = APInvoice.objects.get(supplier_invoice_number=number)
    assert response.status_code == 302 and response["Location"] == invoice.get_absolute_url()
    return invoice


def test_choose_an_approved_po_then_lines_prefill_from_received_not_billed(ap, world, po_line):
    purchase_order = po_line.purchase_order
    choice = ap.get(reverse("invoicing:ap_create"), {"q": purchase_order.number})
    assert list(choice.context["object_list"]) == [purchase_order]
    assert create_url(po_line) in choice.content.decode()
    by_supplier = ap.get(reverse("invoicing:ap_create"), {"q": "northwind"})
    assert list(by_supplier.context["object_list"]) == [purchase_order]

    form = ap.get(create_url(po_line)).context["form"]
    assert form[f"quantity_{po_line.pk}"].initial is None  # nothing received yet
    receive(world, po_line, "1")
    form = ap.get(create_url(po_line)).context["form"]
    assert form[f"quantity_{po_line.pk}"].initial == Decimal("1")
    assert form[f"unit_price_{po_line.pk}"].initial == Decimal("39800.00")

    enter(ap, po_line, "1")
    form = ap.get(create_url(po_line)).context["form"]
    assert form[f"quantity_{po_line.pk}"].initial is None  # already on a draft invoice


def test_billing_over_received_goes_on_hold_and_cannot_be_released_or_paid(ap, world, po_line):
    receive(world, po_line, "1")
    invoice = enter(ap, po_line, "2")
    assert (invoice.status, invoice.lines.get().unit_price) == (APStatus.DRAFT, Decimal("39800"))

    page = ap.post(reverse("invoicing:ap_validate", args=[invoice.pk]), follow=True)
    invoice.refresh_from_db()
    [hold] = invoice.holds.all()
    assert (invoice.status, hold.reason) == (
        APStatus.ON_HOLD,
        HoldReason.QUANTITY_BILLED_OVER_RECEIVED,
    )
    content = page.content.decode()
    assert "billed 2, but only 1 received and not yet billed." in content
    assert "Clears when the goods are received" in content
    assert reverse("invoicing:hold_release", args=[hold.pk]) not in content
    assert reverse("invoicing:ap_pay", args=[invoice.pk]) not in content

    before = snapshot()
    refused = ap.post(
        reverse("invoicing:hold_release", args=[hold.pk]), {"reason": "supplier insists"}
    )
    assert refused.status_code == 200
    assert "A quantity hold cannot be released by hand" in refused.content.decode()
    paid = ap.post(reverse("invoicing:ap_pay", args=[invoice.pk]), follow=True)
    assert "only a validated invoice can be paid" in paid.content.decode()
    assert snapshot() == before


def test_price_hold_released_with_a_reason_then_paid(ap, world, po_line):
    receive(world, po_line, "2")
    invoice = enter(ap, po_line, "2", unit_price="40000.00")
    ap.post(reverse("invoicing:ap_validate", args=[invoice.pk]))
    [hold] = invoice.holds.all()
    assert hold.reason == HoldReason.PRICE_OVER_PO
    page = ap.get(invoice.get_absolute_url()).content.decode()
    assert reverse("invoicing:hold_release", args=[hold.pk]) in page
    # Each line leads to the sales order line it supplies, and its Peg Trace.
    assert po_line.sales_order_line.get_absolute_url() in page

    before = snapshot()
    blank = ap.post(reverse("invoicing:hold_release", args=[hold.pk]), {"reason": " "})
    assert blank.context["form"].errors["reason"] == ["This field is required."]
    assert snapshot() == before

    response = ap.post(
        reverse("invoicing:hold_release", args=[hold.pk]), {"reason": "price increase agreed"}
    )
    assert response["Location"] == invoice.get_absolute_url()
    hold.refresh_from_db()
    invoice.refresh_from_db()
    assert (hold.released_by, hold.release_reason) == (world.users["ap"], "price increase agreed")
    assert invoice.status == APStatus.VALIDATED
    page = ap.get(invoice.get_absolute_url())
    content = page.content.decode()
    assert "by ap: price increase agreed" in content
    # The history is newest first, as on the PO page: the release is its first row.
    assert page.context["history"][0].record.history_user == world.users["ap"]
    assert "80,000.00 USD" in content

    ap.post(reverse("invoicing:ap_pay", args=[invoice.pk]))
    invoice.refresh_from_db()
    assert invoice.status == APStatus.PAID


@pytest.mark.parametrize(
    ("quantity", "unit_price", "field", "message"),
    [
        ("-1", "", "quantity", "Enter a positive quantity, or leave it empty"),
        ("1.0001", "", "quantity", "A quantity can have at most 3 decimal places."),
        ("1", "1000000000000", "unit_price", "A unit price must be below 1,000,000,000,000."),
        ("1", "10.001", "unit_price", "A unit price can have at most 2 decimal places."),
        ("1", "-5", "unit_price", "A unit price cannot be negative."),
        ("abc", "", "quantity", "Enter a number."),
    ],
)
def test_bad_lines_are_refused_and_change_nothing(
    ap, world, po_line, quantity, unit_price, field, message
):
    receive(world, po_line, "2")
    before = snapshot()
    response = ap.post(create_url(po_line), invoice_data(po_line, quantity, unit_price))
    assert response.status_code == 200
    errors = response.context["form"].errors[f"{field}_{po_line.pk}"]
    assert errors[0].startswith(message)
    assert message in response.content.decode()
    assert snapshot() == before


def test_duplicate_number_empty_invoice_and_double_submit_are_refused(ap, world, po_line):
    receive(world, po_line, "2")
    data = invoice_data(po_line, "1", number="INV-7")
    first = ap.post(create_url(po_line), data)
    assert first.status_code == 302
    before = snapshot()

    again = ap.post(create_url(po_line), data)
    assert again.url == first.url  # the invoice the first submit made
    assert FIRST_SUBMIT_DONE in messages_of(again)
    duplicate = ap.post(create_url(po_line), invoice_data(po_line, "1", number="INV-7"))
    assert duplicate.context["form"].non_field_errors() == [
        "Invoice INV-7 of Northwind Server Supply (S-100) is already entered."
    ]
    empty = ap.post(create_url(po_line), invoice_data(po_line, "0", number="INV-8"))
    assert empty.context["form"].non_field_errors() == ["An invoice needs at least one line."]
    assert snapshot() == before


def test_roles_and_business_units(client, world, po_line):
    receive(world, po_line, "2")
    client.force_login(world.users["ap"])
    invoice = enter(client, po_line, "2", unit_price="40000.00")
    client.post(reverse("invoicing:ap_validate", args=[invoice.pk]), follow=True)
    hold = invoice.holds.get()
    pages = [
        reverse("invoicing:ap_list"),
        reverse("invoicing:ap_create"),
        create_url(po_line),
        invoice.get_absolute_url(),
        reverse("invoicing:hold_release", args=[hold.pk]),
    ]
    actions = [
        reverse("invoicing:ap_validate", args=[invoice.pk]),
        reverse("invoicing:ap_pay", args=[invoice.pk]),
    ]
    for role in ("clerk", "shipper", "ar"):
        client.force_login(world.users[role])
        assert [client.get(url).status_code for url in pages] == [403] * len(pages)
        assert [client.post(url).status_code for url in actions] == [403, 403]

    before = snapshot()
    client.force_login(unit_user(world, "eu_ap", "AP Accountant"))
    assert [client.get(url).status_code for url in pages[2:]] == [404, 404, 404]
    assert [client.post(url).status_code for url in actions] == [404, 404]
    assert client.post(pages[4], {"reason": "not mine"}).status_code == 404
    assert invoice.number not in client.get(pages[0]).content.decode()
    assert list(client.get(pages[1]).context["object_list"]) == []
    assert snapshot() == before


@pytest.mark.slow
def test_ap_list_filters_sorts_and_queries_do_not_grow_with_rows(ap, world):
    url = reverse("invoicing:ap_list")
    ap_invoices_in_bulk(world, 5)
    at_5 = queries_to_render(ap, url, sort="-total")
    newest = APInvoice.objects.order_by("-pk").first()
    found = ap.get(url, {"q": newest.supplier_invoice_number, "status": "DRAFT"})
    assert list(found.context["object_list"]) == [newest]
    assert found.context["object_list"][0].total == Decimal("39800.00")
    assert list(ap.get(url, {"status": "PAID"}).context["object_list"]) == []

    ap_invoices_in_bulk(world, 195)
    assert APInvoice.objects.count() == 200
    assert queries_to_render(ap, url, sort="-total") == at_5
    assert queries_to_render(ap, url, sort="supplier", page=8) == at_5


@pytest.mark.slow
def test_po_choice_queries_do_not_grow_with_rows(ap, world):
    url = reverse("invoicing:ap_create")
    purchase_orders_in_bulk(world, 5, approve=True)
    at_5 = queries_to_render(ap, url, sort="-to_bill")
    purchase_orders_in_bulk(world, 195, approve=True)
    assert PurchaseOrder.objects.filter(status=POStatus.OPEN).count() == 200
    assert queries_to_render(ap, url, sort="-to_bill") == at_5
    assert queries_to_render(ap, url, sort="supplier", page=8) == at_5
