"""The pages that edit a Draft PO (issue 10, item 7): each line's Edit (price, promised
date, quantity within the pegged demand) and the note to the supplier; the PO's action
history shows what changed, the printed PO the note."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement.services import purchase_order_submit
from procurement.services.editing import ABOVE_DEMAND, NOT_DRAFT
from tests.helpers import messages_of, snapshot, unit_user
from tests.web.changes.support import errors_of, form_data

pytestmark = pytest.mark.django_db


def line_edit_url(po_line) -> str:
    return reverse("procurement:po_line_edit", args=[po_line.pk])


def note_url(purchase_order) -> str:
    return reverse("procurement:po_note", args=[purchase_order.pk])


@pytest.fixture
def draft_line(drive_to_po):
    _order, [po_line] = drive_to_po(("SRV-DL380-G11", "3"), approve=False)
    return po_line


def line_data(po_line, **values) -> dict:
    return form_data(
        **{
            "unit_price": str(po_line.unit_price),
            "promised_date": po_line.promised_date.isoformat(),
            "quantity": str(po_line.quantity),
            **values,
        }
    )


def test_the_po_page_offers_the_edits_to_the_buyer_while_draft(client, world, users, draft_line):
    purchase_order = draft_line.purchase_order
    urls = [line_edit_url(draft_line), note_url(purchase_order)]
    client.force_login(users["buyer"])
    content = client.get(purchase_order.get_absolute_url()).content.decode()
    assert all(url in content for url in urls)
    client.force_login(users["receiver"])
    content = client.get(purchase_order.get_absolute_url()).content.decode()
    assert not any(url in content for url in urls)
    purchase_order_submit(actor=users["buyer"], purchase_order=purchase_order)
    client.force_login(users["buyer"])
    content = client.get(purchase_order.get_absolute_url()).content.decode()
    assert not any(url in content for url in urls)


def test_a_line_is_edited_and_the_history_shows_it(client, users, draft_line):
    client.force_login(users["buyer"])
    promised = timezone.localdate() + timedelta(days=21)
    page = client.get(line_edit_url(draft_line))
    assert page.status_code == 200
    assert page.context["form"].initial["quantity"] == Decimal("3.000")
    response = client.post(
        line_edit_url(draft_line),
        line_data(draft_line, unit_price="39000.00", promised_date=promised.isoformat()),
        follow=True,
    )
    draft_line.refresh_from_db()
    assert (draft_line.unit_price, draft_line.promised_date) == (Decimal("39000.00"), promised)
    assert f"{draft_line} is changed." in messages_of(response)
    [row] = [row for row in response.context["history"] if row.what == "Line 1"][:1]
    assert row.record.history_user == users["buyer"]
    assert row.record.history_change_reason.startswith("line changed: price 39,800.00 -> 39,000.00")
    assert "price 39,800.00 -&gt; 39,000.00" in response.content.decode()


def test_a_smaller_quantity_says_where_the_rest_of_the_demand_went(client, users, draft_line):
    client.force_login(users["buyer"])
    so_line = draft_line.sales_order_line
    response = client.post(line_edit_url(draft_line), line_data(draft_line, quantity="2"))
    draft_line.refresh_from_db()
    assert draft_line.quantity == Decimal("2.000")
    assert (
        f"{draft_line} is changed. {so_line} now needs 2; the other 1 is a new order line that "
        "Progress Order supplies again."
    ) in messages_of(response)
    assert so_line.order.lines.filter(split_from=so_line).get().quantity == Decimal("1.000")


def test_the_note_is_saved_shown_and_printed(client, users, draft_line):
    purchase_order = draft_line.purchase_order
    client.force_login(users["buyer"])
    response = client.post(
        note_url(purchase_order), form_data(note="Deliver to dock 4, mornings only."), follow=True
    )
    purchase_order.refresh_from_db()
    assert purchase_order.supplier_note == "Deliver to dock 4, mornings only."
    assert f"The note to the supplier of {purchase_order} is saved." in messages_of(response)
    assert "Deliver to dock 4, mornings only." in response.content.decode()
    printed = client.get(reverse("procurement:po_print", args=[purchase_order.pk]))
    assert "Deliver to dock 4, mornings only." in printed.content.decode()
    assert any(
        row.record.history_change_reason == "note to the supplier set"
        for row in (response.context["history"])
    )


def test_bad_input_changes_nothing_and_says_why(client, users, draft_line):
    client.force_login(users["buyer"])
    so_line = draft_line.sales_order_line
    before = snapshot()
    response = client.post(line_edit_url(draft_line), line_data(draft_line, quantity="4"))
    assert response.status_code == 200
    assert ABOVE_DEMAND.format(
        quantity=Decimal("4"), open=Decimal("3.000"), so_line=so_line
    ) in errors_of(response)
    response = client.post(line_edit_url(draft_line), line_data(draft_line, quantity="abc"))
    assert response.status_code == 200 and errors_of(response)
    response = client.post(note_url(draft_line.purchase_order), form_data(note="x" * 1001))
    assert response.status_code == 200 and errors_of(response)
    assert snapshot() == before


def test_a_submitted_po_is_refused_on_the_form(client, users, draft_line):
    purchase_order = purchase_order_submit(
        actor=users["buyer"], purchase_order=draft_line.purchase_order
    )
    client.force_login(users["buyer"])
    before = snapshot()
    response = client.post(line_edit_url(draft_line), line_data(draft_line, unit_price="1.00"))
    message = NOT_DRAFT.format(po=purchase_order, status="Pending Approval")
    assert message in errors_of(response)
    response = client.post(note_url(purchase_order), form_data(note="late"))
    assert message in errors_of(response)
    assert snapshot() == before


def test_other_roles_get_403_and_other_units_404(client, world, users, draft_line):
    urls = [line_edit_url(draft_line), note_url(draft_line.purchase_order)]
    client.force_login(users["clerk"])
    assert [client.get(url).status_code for url in urls] == [403, 403]
    client.force_login(users["receiver"])
    assert client.post(urls[1], form_data(note="x")).status_code == 403
    client.force_login(unit_user(world, "eu-buyer", "Buyer"))
    before = snapshot()
    assert [client.get(url).status_code for url in urls] == [404, 404]
    assert client.post(urls[0], line_data(draft_line, unit_price="1.00")).status_code == 404
    assert snapshot() == before
