"""Process Requisitions' first page is read in need-by order from the partial index
``approved_req_line_need_by``, not by sorting every Approved line (docs/benchmarks.md)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.web.procurement.support import requisition_lines_in_bulk

pytestmark = pytest.mark.django_db


def page_plan(client) -> str:
    """The plan of the page's list query, with sorts and sequential scans priced out so
    that a small test table still shows which index could serve the order."""
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("procurement:requisitions"))
    (list_query,) = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith('SELECT "procurement_requisitionline"."id"')
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {list_query}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("username", ["buyer", "admin"])
def test_default_order_is_read_from_the_approved_need_by_index(world, client, username):
    requisition_lines_in_bulk(world, 30)
    client.force_login(world.users[username])

    plan = page_plan(client)

    assert "approved_req_line_need_by" in plan
    assert "Sort Key: procurement_requisitionline" not in plan
