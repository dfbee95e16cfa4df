"""The dashboard benchmark's measuring parts work: closed history is added beside the open
work and the home page's reads are timed by the database. Counts only, never speed."""

import pytest

from benchmarks.dashboard import add_closed_history, measure
from orders.models import LineStatus, SalesOrderLine
from tests.helpers import place_order

# VACUUM runs outside a transaction: the test commits, and the tables are emptied after.
pytestmark = pytest.mark.django_db(transaction=True)


def test_closed_history_is_added_and_the_page_s_reads_are_measured(world):
    place_order(world, ("SRV-DL380-G11", "1"))
    add_closed_history(world, 3)
    result = measure(repeat=2, explain=False)
    assert SalesOrderLine.objects.filter(status=LineStatus.CLOSED).count() == 3
    assert (result["lines"], result["closed_lines"]) == (4, 3)
    assert result["queries"] > len(result["slowest"]) == 3
    assert result["pages_read"] >= sum(read["pages"] for read in result["slowest"]) > 0
