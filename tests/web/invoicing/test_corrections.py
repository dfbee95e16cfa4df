"""The correction pages of invoicing: cancel and adjust an AP invoice, adjust a held line
to what was received, debit memos; cancel a draft AR invoice, credit memos and their
printable copy. Each: the action, a refusal on the form, 403 for other roles, 404 for
another unit's document."""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from invoicing.models import APDebitMemo, APStatus, ARCreditMemo, ARInvoice, ARStatus
from invoicing.services import autoinvoice_import
from orders.models import LineStatus
from tests.helpers import messages_of, receive, ship, snapshot, unit_user
from tests.invoicing.support import complete_ar_invoice, stuck_hold

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_stuck_hold_page_offers_both_resolutions_and_adjusts(client, world, drive_to_po):
    invoice, _ = stuck_hold(world, drive_to_po)
    hold = invoice.holds.get()
    ap = login(client, world.users["ap"])
    page = ap.get(invoice.get_absolute_url()).content.decode()
    adjust_url = reverse("invoicing:hold_adjust_to_received", args=[hold.pk])
    cancel_url = reverse("invoicing:ap_cancel", args=[invoice.pk])
    assert adjust_url in page and cancel_url in page
    assert "no more goods will come" in page

    assert ap.get(adjust_url).status_code == 200
    refused = ap.post(adjust_url, {"reason": ""})
    assert refused.status_code == 200 and refused.context["form"].errors
    response = ap.post(adjust_url, {"reason": "supplier billed the full order"})
    assert response.status_code == 302 and response["Location"] == invoice.get_absolute_url()
    invoice.refresh_from_db()
    assert invoice.status == APStatus.VALIDATED
    assert invoice.lines.get().quantity == Decimal("1")
    assert "is Validated" in messages_of(ap.get(invoice.get_absolute_url()))[0]


def test_cancel_page_cancels_and_a_second_cancel_is_refused_on_the_form(client, world, drive_to_po):
    invoice, _ = stuck_hold(world, drive_to_po)
    ap = login(client, world.users["ap"])
    url = reverse("invoicing:ap_cancel", args=[invoice.pk])
    response = ap.post(url, {"reason": "wrong invoice"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.status, invoice.cancel_reason) == (APStatus.CANCELLED, "wrong invoice")
    page = ap.get(invoice.get_absolute_url()).content.decode()
    assert "wrong invoice" in page and url not in page
    before = snapshot()
    again = ap.post(url, {"reason": "again"})
    assert "only a Draft or On Hold invoice" in str(again.context["form"].non_field_errors())
    assert snapshot() == before


def test_line_adjust_page(client, world, drive_to_po):
    invoice, _ = stuck_hold(world, drive_to_po)
    line = invoice.lines.get()
    ap = login(client, world.users["ap"])
    url = reverse("invoicing:ap_line_adjust", args=[line.pk])
    assert url in ap.get(invoice.get_absolute_url()).content.decode()
    assert ap.get(url).context["form"].initial["quantity"] == Decimal("5")
    response = ap.post(url, {"quantity": "1", "unit_price": "", "reason": "credit note agreed"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == APStatus.VALIDATED


def test_ap_correction_pages_are_forbidden_to_other_roles_and_units(client, world, drive_to_po):
    invoice, _ = stuck_hold(world, drive_to_po)
    hold, line = invoice.holds.get(), invoice.lines.get()
    urls = [
        reverse("invoicing:ap_cancel", args=[invoice.pk]),
        reverse("invoicing:ap_line_adjust", args=[line.pk]),
        reverse("invoicing:hold_adjust_to_received", args=[hold.pk]),
    ]
    login(client, world.users["ar"])
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    assert client.get(reverse("invoicing:debit_memo_create")).status_code == 403
    login(client, unit_user(world, "ap_eu", "AP Accountant"))
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    before = snapshot()
    assert client.post(urls[0], {"reason": "x"}).status_code == 404
    assert snapshot() == before


def test_debit_memo_pages(client, world, drive_to_po):
    _, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    purchase_order = po_line.purchase_order
    ap = login(client, world.users["ap"])
    assert (
        reverse("invoicing:debit_memo_create")
        in ap.get(reverse("invoicing:ap_list")).content.decode()
    )
    data = {
        "submission_token": uuid.uuid4().hex,
        "business_unit": world.units["US1"].pk,
        "supplier": purchase_order.supplier_id,
        "purchase_order": purchase_order.pk,
        "kind": "RTV",
        "amount": "39800.00",
        "reason": "one server returned",
    }
    response = ap.post(reverse("invoicing:debit_memo_create"), data)
    memo = APDebitMemo.objects.get()
    assert response["Location"] == memo.get_absolute_url()
    page = ap.get(memo.get_absolute_url()).content.decode()
    assert "one server returned" in page and "39,800.00" in page
    login(client, world.users["ar"])
    assert client.get(memo.get_absolute_url()).status_code == 403
    login(client, unit_user(world, "ap_eu", "AP Accountant"))
    assert client.get(memo.get_absolute_url()).status_code == 404


def test_cancel_draft_ar_invoice_page(client, world, drive_to_po):
    order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    receive(world, po_line, "2")
    ship(world)
    autoinvoice_import(actor=world.users["ar"])
    invoice = ARInvoice.objects.get()
    ar = login(client, world.users["ar"])
    url = reverse("invoicing:ar_cancel", args=[invoice.pk])
    assert url in ar.get(invoice.get_absolute_url()).content.decode()
    assert ar.post(url, {"reason": "customer PO number missing"}).status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == ARStatus.CANCELLED
    assert order.lines.get().status == LineStatus.SHIPPED
    assert "customer PO number missing" in ar.get(invoice.get_absolute_url()).content.decode()
    login(client, world.users["ap"])
    assert client.get(url).status_code == 403
    login(client, unit_user(world, "ar_eu", "AR Accountant"))
    assert client.get(url).status_code == 404


def test_credit_memo_pages(client, world, drive_to_po):
    invoice = complete_ar_invoice(world, drive_to_po)
    line = invoice.lines.get()
    ar = login(client, world.users["ar"])
    url = reverse("invoicing:credit_memo_create", args=[invoice.pk])
    assert url in ar.get(invoice.get_absolute_url()).content.decode()
    assert ar.get(url).status_code == 200
    data = {
        "submission_token": uuid.uuid4().hex,
        "reason": "one unit billed early",
        f"quantity_{line.pk}": "1",
        f"amount_{line.pk}": "",
        f"disposition_{line.pk}": "REINVOICE",
        "whole_disposition": "CLOSE",
    }
    before = snapshot()
    refused = ar.post(url, {**data, f"quantity_{line.pk}": "3"})
    assert "at most 2.000 more" in str(refused.context["form"].non_field_errors())
    assert snapshot() == before
    response = ar.post(url, data)
    memo = ARCreditMemo.objects.get()
    assert response["Location"] == memo.get_absolute_url()
    page = ar.get(memo.get_absolute_url()).content.decode()
    assert "one unit billed early" in page and "48,500.00" in page
    printed = ar.get(reverse("invoicing:credit_memo_print", args=[memo.pk])).content.decode()
    assert memo.number in printed and "48,500.00" in printed
    assert memo.number in ar.get(invoice.get_absolute_url()).content.decode()
    assert line.sales_order_line.__class__.objects.get(pk=line.sales_order_line_id).status == (
        LineStatus.SHIPPED
    )
    login(client, world.users["ap"])
    assert client.get(url).status_code == 403
    assert client.get(memo.get_absolute_url()).status_code == 403
    login(client, unit_user(world, "ar_eu", "AR Accountant"))
    assert client.get(url).status_code == 404
    assert client.get(memo.get_absolute_url()).status_code == 404


def test_whole_invoice_credit_from_the_page(client, world, drive_to_po):
    invoice = complete_ar_invoice(world, drive_to_po)
    ar = login(client, world.users["ar"])
    data = {
        "submission_token": uuid.uuid4().hex,
        "reason": "order returned",
        "whole": "on",
        "whole_disposition": "CLOSE",
    }
    for line in invoice.lines.all():
        data[f"disposition_{line.pk}"] = "CLOSE"
    ar.post(reverse("invoicing:credit_memo_create", args=[invoice.pk]), data)
    assert ARCreditMemo.objects.get().total_amount == Decimal("97000.00")
