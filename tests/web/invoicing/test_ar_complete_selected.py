"""Complete selected on the AR Invoices list: checkboxes on Draft rows for the roles that
may complete, one POST completing the ticked drafts, all or nothing, posted once only."""

import pytest
from django.urls import reverse

from b2b_portal.roles import ROLES
from b2b_portal.web import FIRST_SUBMIT_DONE, new_submission_token
from invoicing.forms import NOT_YOUR_INVOICE
from invoicing.models import ARInvoice, ARStatus
from invoicing.services import NO_INVOICE_SELECTED, ar_invoice_cancel
from orders.models import LineStatus, SalesOrderLine
from tests.factories import UserFactory
from tests.helpers import messages_of, snapshot, unit_user
from tests.web.shipping.support import invoiced_in_bulk

pytestmark = pytest.mark.django_db

LIST = reverse("invoicing:ar_list")
COMPLETE_SELECTED = reverse("invoicing:ar_complete_selected")
BUTTON = "Complete selected"


@pytest.fixture
def drafts(world) -> list[ARInvoice]:
    invoiced_in_bulk(world, 4)
    return list(ARInvoice.objects.order_by("pk"))


def post(client, invoices, query=""):
    """Complete selected, posted from the list as ``query`` filtered it."""
    data = {
        "invoices": [invoice.pk for invoice in invoices],
        "submission_token": new_submission_token(),
    }
    return client.post(f"{COMPLETE_SELECTED}{query}", data)


def statuses() -> dict[int, str]:
    return dict(ARInvoice.objects.values_list("pk", "status"))


@pytest.mark.parametrize("username", [spec["username"] for spec in ROLES.values()])
def test_only_roles_that_complete_see_the_button_and_may_post(client, world, drafts, username):
    user = world.users[username]
    client.force_login(user)
    listing = client.get(LIST)
    may_view = user.has_perm("invoicing.view_arinvoice")
    may_complete = user.has_perm("invoicing.complete_arinvoice")
    assert listing.status_code == (200 if may_view else 403)
    if may_view:
        assert (BUTTON in listing.content.decode()) is may_complete
    before = snapshot()

    response = post(client, drafts[:1])

    assert response.status_code == (302 if may_complete else 403)
    if not may_complete:
        assert snapshot() == before


def test_a_viewer_without_the_permission_sees_no_checkbox_and_is_refused(client, world, drafts):
    viewer = UserFactory(permissions=["invoicing.view_arinvoice"], units=[world.units["US1"]])
    client.force_login(viewer)
    page = client.get(LIST).content.decode()
    assert BUTTON not in page
    assert 'name="invoices"' not in page

    assert post(client, drafts).status_code == 403
    assert set(statuses().values()) == {ARStatus.DRAFT}


def test_the_accountant_completes_three_ticked_drafts(client, world, drafts):
    ar = world.users["ar"]
    client.force_login(ar)
    ar_invoice_cancel(actor=ar, invoice=drafts[3], reason="wrong customer address")
    page = client.get(LIST).content.decode()
    # A checkbox on each Draft row only: not on the cancelled invoice.
    for invoice in drafts[:3]:
        assert f'value="{invoice.pk}" id="invoice-{invoice.pk}"' in page
    assert f'id="invoice-{drafts[3].pk}"' not in page

    response = post(client, drafts[:3], "?status=DRAFT")

    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?status=DRAFT"
    assert messages_of(response) == ["3 invoices completed."]
    assert [statuses()[invoice.pk] for invoice in drafts] == [ARStatus.COMPLETE] * 3 + [
        ARStatus.CANCELLED
    ]
    completed_lines = SalesOrderLine.objects.filter(order__ar_invoices__in=drafts[:3])
    assert set(completed_lines.values_list("status", flat=True)) == {LineStatus.CLOSED}
    # No Draft left on the page: no checkbox, no button.
    assert BUTTON not in client.get(LIST).content.decode()


def test_a_selection_with_an_invoice_no_longer_draft_completes_none(client, world, drafts):
    ar = world.users["ar"]
    client.force_login(ar)
    ar_invoice_cancel(actor=ar, invoice=drafts[1], reason="wrong customer address")
    before = snapshot()

    response = post(client, drafts[:3])

    assert response["Location"] == LIST
    [message] = messages_of(response)
    assert message.startswith(f"{drafts[1]} is Cancelled: only a Draft invoice can be completed")
    assert snapshot() == before


def test_nothing_ticked_says_so(client, world, drafts):
    client.force_login(world.users["ar"])
    before = snapshot()
    response = post(client, [])
    assert messages_of(response) == [NO_INVOICE_SELECTED]
    assert snapshot() == before


def test_another_units_invoice_cannot_be_selected(client, world, drafts):
    client.force_login(unit_user(world, "ar-eu", "AR Accountant", "EU1"))
    before = snapshot()

    response = post(client, drafts[:2])

    assert response.status_code == 302
    assert messages_of(response) == [NOT_YOUR_INVOICE]
    assert snapshot() == before


def test_the_same_form_posted_twice_completes_once(client, world, drafts):
    client.force_login(world.users["ar"])
    data = {"invoices": [drafts[0].pk, drafts[1].pk], "submission_token": new_submission_token()}
    first = client.post(COMPLETE_SELECTED, data)
    assert messages_of(client.get(first["Location"])) == ["2 invoices completed."]
    history = ARInvoice.history.count()

    again = client.post(COMPLETE_SELECTED, data)

    assert again["Location"] == first["Location"] == LIST
    assert messages_of(again) == [FIRST_SUBMIT_DONE]
    assert ARInvoice.history.count() == history
