"""Saved searches (the searches app): a user names the search of a list page, opens it again
from the list's toolbar with its filters and sort, replaces or deletes it; nobody else
sees or deletes it, and only list pages the user may open are saved."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from searches.models import SavedSearch
from searches.services import NAME_REQUIRED, NOT_A_LIST
from searches.views import DELETED, SAVED
from tests.helpers import messages_of, unit_user

PO_LIST = "procurement:po_list"


def save(client, name, query, list_name=PO_LIST):
    return client.post(
        reverse("searches:save"), {"list_name": list_name, "name": name, "query": query}
    )


@pytest.fixture
def buyer(client, world):
    client.force_login(world.users["buyer"])
    return client


@pytest.mark.django_db
def test_a_saved_search_opens_the_list_with_its_filters_and_sort(buyer, world, drive_to_po):
    _, [northwind] = drive_to_po(("SRV-DL380-G11", "1"))
    _, [fabrikam] = drive_to_po(("SRV-R760-XA", "1"))
    supplier = world.suppliers["S-300"].pk
    query = f"supplier={supplier}&status=&page=2&export=csv&sort=-total&bogus=1"

    response = save(buyer, "  Fabrikam, biggest first ", query)

    saved = SavedSearch.objects.get()
    assert (saved.user, saved.list_name, saved.name) == (
        world.users["buyer"],
        PO_LIST,
        "Fabrikam, biggest first",
    )
    # Only the search form's fields with a value and the sort: no page, export or junk.
    assert dict(parse_qsl(saved.query)) == {"supplier": str(supplier), "sort": "-total"}
    assert response.status_code == 302
    assert messages_of(response) == [SAVED.format(name="Fabrikam, biggest first")]
    page = buyer.get(response["Location"])
    assert [po.pk for po in page.context["object_list"]] == [fabrikam.purchase_order_id]
    assert northwind.purchase_order.number not in page.content.decode()

    # The toolbar of the list offers it, linking to the same search.
    listed = buyer.get(reverse(PO_LIST)).content.decode()
    assert "Fabrikam, biggest first" in listed
    assert saved.get_absolute_url().replace("&", "&amp;") in listed
    assert urlsplit(saved.get_absolute_url()).path == reverse(PO_LIST)


@pytest.mark.django_db
def test_saving_the_same_name_again_replaces_the_search(buyer, world):
    save(buyer, "Mine", "status=OPEN")
    save(buyer, "Mine", "status=DRAFT")
    save(buyer, "Mine", "status=DRAFT", list_name="procurement:requisitions")
    assert sorted(SavedSearch.objects.values_list("list_name", "query")) == [
        ("procurement:po_list", "status=DRAFT"),
        ("procurement:requisitions", ""),  # status is no filter of that list
    ]


@pytest.mark.django_db
def test_delete_removes_the_users_own_search_only(client, world):
    buyer, other_buyer = world.users["buyer"], unit_user(world, "buyer2", "Buyer", unit="US1")
    client.force_login(buyer)
    client.get(save(client, "Open POs", "status=OPEN")["Location"])  # its message shown
    mine = SavedSearch.objects.get()

    client.force_login(other_buyer)
    assert "Open POs" not in client.get(reverse(PO_LIST)).content.decode()
    response = client.post(reverse("searches:delete", args=[mine.pk]))
    assert response.status_code == 404
    assert SavedSearch.objects.filter(pk=mine.pk).exists()

    client.force_login(buyer)
    response = client.post(reverse("searches:delete", args=[mine.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse(PO_LIST)
    assert messages_of(response) == [DELETED.format(name="Open POs")]
    assert not SavedSearch.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("list_name", "name", "message"),
    [
        ("procurement:po_list", "   ", NAME_REQUIRED),
        ("home", "Dashboard", NOT_A_LIST),
        ("procurement:po_detail", "A PO", NOT_A_LIST),
        ("no:such_page", "Nothing", NOT_A_LIST),
    ],
)
def test_a_search_without_a_name_or_of_no_list_page_is_refused(buyer, list_name, name, message):
    response = save(buyer, name, "status=OPEN", list_name=list_name)
    assert response.status_code == 302
    assert messages_of(response) == [message]
    assert not SavedSearch.objects.exists()


@pytest.mark.django_db
def test_a_list_the_user_may_not_open_is_refused(client, world):
    client.force_login(world.users["clerk"])
    response = save(client, "POs", "status=OPEN")
    assert messages_of(response) == ["clerk is not allowed to use this list."]
    assert not SavedSearch.objects.exists()


@pytest.mark.django_db
def test_saving_and_deleting_take_a_post_and_a_signed_in_user(client, world):
    assert save(client, "POs", "status=OPEN").status_code == 302
    assert not SavedSearch.objects.exists()
    client.force_login(world.users["buyer"])
    assert client.get(reverse("searches:save")).status_code == 405
