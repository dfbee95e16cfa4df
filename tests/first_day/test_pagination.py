"""One paging rule for every list (``b2b_portal.lists.LastPageMixin``): a ``?page=`` that is
no page of the list shows its last page instead of a 404."""

import pytest
from django.urls import reverse

from orders.views import OrderListView
from processes.services import process_run_queue
from processes.views import RunListView
from tests.helpers import place_order

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["abc", "99999", "0", "-1", "1.5", ""])
def test_a_page_that_is_not_one_shows_the_last_page(client, world, monkeypatch, page):
    monkeypatch.setattr(OrderListView, "paginate_by", 1)
    orders = [place_order(world, ("SRV-DL380-G11", "1"), book=False) for _ in range(3)]
    client.force_login(world.users["clerk"])
    response = client.get(reverse("orders:list"), {"page": page})
    assert response.status_code == 200
    expected = 1 if page == "" else 3  # no page asked for is the first
    assert response.context["page_obj"].number == expected
    shown = orders[0] if expected == 3 else orders[-1]  # newest first
    assert list(response.context["object_list"]) == [shown]


def test_the_run_log_follows_the_same_rule(client, world, monkeypatch):
    monkeypatch.setattr(RunListView, "paginate_by", 1)
    for _ in range(2):
        process_run_queue(
            process="progress_order",
            parameters={"business_unit": world.units["US1"].pk},
            requested_by=world.users["ops"],
        )
    client.force_login(world.users["ops"])
    response = client.get(reverse("processes:run_list"), {"page": "abc"})
    assert response.status_code == 200 and response.context["page_obj"].number == 2
