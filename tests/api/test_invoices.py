"""The AP and AR endpoints (docs/api.md, "Payables", "Receivables"): invoices entered,
validated and completed through the invoicing services, each endpoint x every role, another
unit's invoice a 404, refusals 409 (the service's message) or 400 changing nothing, the lists
searched as the invoice pages, and the same result as the pages' Validate and Complete."""

from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import BusinessUnit
from invoicing.models import APInvoice, APInvoiceHold, APStatus, ARInvoice, ARStatus, HoldReason
from orders.models import LineStatus, SalesOrderLine
from tests.api.conftest import token_client
from tests.api.support import walk, walk_action
from tests.helpers import enter_ap_invoice, receive, snapshot, unit_user
from tests.invoicing.support import draft_ar_invoice

pytestmark = pytest.mark.django_db

AP = {"ap", "admin"}
AR = {"ar", "admin"}


@pytest.fixture
def received(world, drive_to_po):
    """A PO line of 2 servers at 39,800.00, received in full."""
    _order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    receive(world, po_line, "2")
    return po_line


def _entry(po_line, number="NW-1", quantity="2", **line):
    return {
        "purchase_order": po_line.purchase_order.number,
        "supplier_invoice_number": number,
        "invoice_date": timezone.localdate().isoformat(),
        "lines": [{"purchase_order_line": po_line.pk, "quantity": quantity, **line}],
    }


# --- Payables ------------------------------------------------------------------------------


def test_entering_an_ap_invoice_per_role(api_as, received):
    def enter(client, username):
        before = APInvoice.objects.count()
        response = client.post(
            "/api/ap-invoices/", _entry(received, f"NW-{username}", "1"), format="json"
        )
        assert APInvoice.objects.count() - before == (response.status_code == 201), username
        return response.status_code

    walk(api_as, AP, 201, enter)


def test_reading_and_validating_ap_invoices_per_role(api_as, world, received):
    drafts = {
        username: enter_ap_invoice(world, received, "1", number=f"NW-{username}")
        for username in sorted(AP)
    }
    for url in ("/api/ap-invoices/", f"/api/ap-invoices/{drafts['ap'].pk}/"):
        walk(api_as, AP, 200, lambda client, _, url=url: client.get(url).status_code)

    walk_action(
        api_as,
        AP,
        drafts,
        fallback=drafts["ap"],
        url=lambda invoice: f"/api/ap-invoices/{invoice.pk}/validate/",
        done_status=APStatus.VALIDATED,
    )


def test_enter_and_validate_with_the_amounts(api_as, world, received):
    BusinessUnit.objects.filter(code="US1").update(tax_rate=Decimal("10"))
    client = api_as("ap")
    entered = client.post("/api/ap-invoices/", _entry(received), format="json")
    assert entered.status_code == 201, entered.content
    invoice = entered.json()
    assert invoice["number"].startswith("AP-")
    assert (invoice["status"], invoice["purchase_order"], invoice["supplier"]) == (
        "DRAFT",
        received.purchase_order.number,
        "S-100",
    )
    assert (invoice["total_amount"], invoice["tax_amount"], invoice["total_due"]) == (
        "79600.00",
        "7960.00",
        "87560.00",
    )
    [line] = invoice["lines"]
    assert (line["purchase_order_line"], line["quantity"], line["unit_price"]) == (
        received.pk,
        "2.000",
        "39800.00",
    )
    assert line["amount"] == "79600.00" and invoice["holds"] == []

    validated = client.post(f"/api/ap-invoices/{invoice['id']}/validate/")
    assert validated.status_code == 200, validated.content
    assert (validated.json()["status"], validated.json()["holds"]) == ("VALIDATED", [])
    received.refresh_from_db()
    assert received.billed_quantity == Decimal("2")
    assert client.get(f"/api/ap-invoices/{invoice['id']}/").json() == validated.json()


def test_a_hold_is_in_the_answer_until_the_goods_arrive(api_as, world, drive_to_po):
    _order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
    receive(world, po_line, "1")
    client = api_as("ap")
    invoice = client.post("/api/ap-invoices/", _entry(po_line), format="json").json()
    held = client.post(f"/api/ap-invoices/{invoice['id']}/validate/").json()
    assert held["status"] == "ON_HOLD"
    [hold] = held["holds"]
    assert (hold["reason"], hold["invoice_line"]) == (
        HoldReason.QUANTITY_BILLED_OVER_RECEIVED,
        invoice["lines"][0]["id"],
    )
    assert hold["message"] == APInvoiceHold.objects.get().message
    assert hold["message"].startswith(f"{po_line}: billed 2")
    receive(world, po_line, "1")
    cleared = client.post(f"/api/ap-invoices/{invoice['id']}/validate/").json()
    assert (cleared["status"], cleared["holds"]) == ("VALIDATED", [])


def test_ap_refusals_are_409_with_the_message_or_400_and_change_nothing(
    api_as, world, received, drive_to_po
):
    client = api_as("ap")
    draft = enter_ap_invoice(world, received, "1", number="NW-1")
    _order, [unapproved] = drive_to_po(("SRV-DL380-G11", "1"), approve=False)
    before = snapshot()
    duplicate = client.post("/api/ap-invoices/", _entry(received, "NW-1"), format="json")
    assert duplicate.status_code == 409
    assert duplicate.json() == {
        "detail": f"Invoice NW-1 of {received.purchase_order.supplier} is already entered."
    }
    po = unapproved.purchase_order
    not_approved = client.post("/api/ap-invoices/", _entry(unapproved, "NW-2"), format="json")
    assert not_approved.status_code == 409
    assert not_approved.json() == {
        "detail": f"{po} is {po.get_status_display()}: only an approved PO can be invoiced."
    }
    foreign = client.post(
        "/api/ap-invoices/",
        {
            **_entry(received, "NW-3"),
            "lines": [{"purchase_order_line": unapproved.pk, "quantity": "1"}],
        },
        format="json",
    )
    assert foreign.json() == {
        "lines": {
            "0": {"purchase_order_line": [f"No line {unapproved.pk} on {received.purchase_order}."]}
        }
    }
    unknown = client.post(
        "/api/ap-invoices/",
        {**_entry(received, "NW-4"), "purchase_order": "PO-999999"},
        format="json",
    )
    assert unknown.json() == {
        "purchase_order": ["There is no purchase order PO-999999 in your business units."]
    }
    assert snapshot() == before
    assert client.post(f"/api/ap-invoices/{draft.pk}/validate/").status_code == 200
    before = snapshot()
    again = client.post(f"/api/ap-invoices/{draft.pk}/validate/")
    assert (again.status_code, again.json()) == (
        409,
        {"detail": f"{draft.number} is Validated: nothing to validate."},
    )
    assert snapshot() == before


def test_validate_ends_as_the_pages_does(api_as, world, drive_to_po, client):
    """Two invoices billing 2 of which 1 is received, one validated on the page and one
    through the API: both On Hold with the same hold."""
    outcomes = []
    for via_page in (True, False):
        _order, [po_line] = drive_to_po(("SRV-DL380-G11", "2"))
        receive(world, po_line, "1")
        invoice = enter_ap_invoice(world, po_line, "2", number=f"NW-page-{via_page}")
        if via_page:
            client.force_login(world.users["ap"])
            client.post(f"/invoicing/ap/{invoice.pk}/validate/")
        else:
            api_as("ap").post(f"/api/ap-invoices/{invoice.pk}/validate/")
        invoice.refresh_from_db()
        outcomes.append((invoice.status, list(invoice.holds.values_list("reason", "released_at"))))
    assert (
        outcomes[0]
        == outcomes[1]
        == (APStatus.ON_HOLD, [(HoldReason.QUANTITY_BILLED_OVER_RECEIVED, None)])
    )


def test_ap_invoices_of_another_unit_are_not_found(world, received):
    invoice = enter_ap_invoice(world, received, "1")
    client = token_client(unit_user(world, "eu_ap", "AP Accountant"))
    assert client.get(f"/api/ap-invoices/{invoice.pk}/").status_code == 404
    assert client.get("/api/ap-invoices/").json()["count"] == 0
    before = snapshot()
    assert client.post(f"/api/ap-invoices/{invoice.pk}/validate/").status_code == 404
    entry = client.post("/api/ap-invoices/", _entry(received, "NW-EU"), format="json")
    assert entry.status_code == 400 and set(entry.json()) == {"purchase_order"}
    assert snapshot() == before


def test_ap_invoices_are_searched_as_on_the_page(api_as, world, received, client):
    first = enter_ap_invoice(world, received, "1", number="NW-A")
    second = enter_ap_invoice(world, received, "1", number="NW-B")
    api = api_as("ap")
    api.post(f"/api/ap-invoices/{second.pk}/validate/")

    def numbers(**params):
        response = api.get("/api/ap-invoices/", params)
        assert response.status_code == 200, response.content
        return [row["number"] for row in response.json()["results"]]

    assert numbers() == [second.number, first.number]
    assert numbers(status="DRAFT") == [first.number]
    assert numbers(q="NW-B") == [second.number]
    assert numbers(number=first.number) == [first.number]
    assert numbers(supplier="S-100") == [second.number, first.number]
    assert numbers(supplier="S-200") == []
    client.force_login(world.users["ap"])
    page = client.get("/invoicing/ap/", {"status": "DRAFT"})
    assert [row.number for row in page.context["object_list"]] == numbers(status="DRAFT")
    for wrong in ({"status": "LOST"}, {"supplier": "S-999"}, {"number": "X"}):
        assert api.get("/api/ap-invoices/", wrong).status_code == 400, wrong


# --- Receivables ---------------------------------------------------------------------------


def test_reading_and_completing_ar_invoices_per_role(api_as, world, drive_to_po):
    drafts = {username: draft_ar_invoice(world, drive_to_po, "1") for username in sorted(AR)}
    for url in ("/api/ar-invoices/", f"/api/ar-invoices/{drafts['ar'].pk}/"):
        walk(api_as, AR, 200, lambda client, _, url=url: client.get(url).status_code)

    walk_action(
        api_as,
        AR,
        drafts,
        fallback=drafts["ar"],
        url=lambda invoice: f"/api/ar-invoices/{invoice.pk}/complete/",
        done_status=ARStatus.COMPLETE,
    )


def test_complete_an_ar_invoice_with_its_amounts(api_as, world, drive_to_po):
    invoice = draft_ar_invoice(world, drive_to_po, "2")
    client = api_as("ar")
    read = client.get(f"/api/ar-invoices/{invoice.pk}/").json()
    line = invoice.lines.get()
    assert (read["status"], read["sales_order"], read["customer"]) == (
        "DRAFT",
        invoice.sales_order.number,
        "C-1001",
    )
    assert [
        (li["sales_order_line"], li["quantity"], li["unit_price"], li["amount"])
        for li in read["lines"]
    ] == [(line.sales_order_line_id, "2.000", f"{line.unit_price:.2f}", f"{line.amount:.2f}")]
    assert read["total_amount"] == f"{invoice.total_amount:.2f}" == read["total_due"]
    completed = client.post(f"/api/ar-invoices/{invoice.pk}/complete/")
    assert completed.status_code == 200, completed.content
    body = completed.json()
    assert (body["status"], body["status_display"], body["completed_by"]) == (
        "COMPLETE",
        "Complete",
        "ar",
    )
    assert SalesOrderLine.objects.get(pk=line.sales_order_line_id).status == LineStatus.CLOSED
    before = snapshot()
    again = client.post(f"/api/ar-invoices/{invoice.pk}/complete/")
    assert (again.status_code, again.json()) == (
        409,
        {"detail": f"{invoice.number} is Complete: it cannot complete now."},
    )
    assert snapshot() == before


def test_complete_ends_as_the_pages_does(api_as, world, drive_to_po, client):
    by_page, by_api = (draft_ar_invoice(world, drive_to_po, "1") for _ in range(2))
    client.force_login(world.users["ar"])
    client.post(f"/invoicing/ar/{by_page.pk}/complete/")
    api_as("ar").post(f"/api/ar-invoices/{by_api.pk}/complete/")

    def outcome(invoice):
        invoice = ARInvoice.objects.get(pk=invoice.pk)
        lines = invoice.sales_order.lines.values_list("status", flat=True)
        return invoice.status, invoice.completed_by, list(lines)

    assert outcome(by_page) == outcome(by_api)
    assert outcome(by_api)[0] == ARStatus.COMPLETE


def test_ar_invoices_of_another_unit_are_not_found_and_the_list_is_searched(
    api_as, world, drive_to_po
):
    invoice = draft_ar_invoice(world, drive_to_po, "1")
    eu = token_client(unit_user(world, "eu_ar", "AR Accountant"))
    assert eu.get(f"/api/ar-invoices/{invoice.pk}/").status_code == 404
    assert eu.get("/api/ar-invoices/").json()["count"] == 0
    before = snapshot()
    assert eu.post(f"/api/ar-invoices/{invoice.pk}/complete/").status_code == 404
    assert snapshot() == before
    api = api_as("ar")
    for params, found in [
        ({"q": invoice.sales_order.number}, [invoice.number]),
        ({"customer": "C-1001", "status": "DRAFT"}, [invoice.number]),
        ({"status": "COMPLETE"}, []),
        ({"number": invoice.number}, [invoice.number]),
    ]:
        response = api.get("/api/ar-invoices/", params)
        assert [row["number"] for row in response.json()["results"]] == found, params
    assert api.get("/api/ar-invoices/", {"customer": "C-9999"}).status_code == 400


def test_without_a_token_every_invoice_endpoint_is_401(client, world):
    for method, url in [
        ("get", "/api/ap-invoices/"),
        ("post", "/api/ap-invoices/"),
        ("get", "/api/ap-invoices/1/"),
        ("post", "/api/ap-invoices/1/validate/"),
        ("get", "/api/ar-invoices/"),
        ("get", "/api/ar-invoices/1/"),
        ("post", "/api/ar-invoices/1/complete/"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token", url
