"""``b2b_portal.models.ConcurrentTransitions``: a document read before another save moved
its status is not saved over it (django-fsm's optimistic check on the status fields,
found once per model)."""

import pytest
from django.db import transaction
from django_fsm import ConcurrentTransition

from b2b_portal.models import ConcurrentTransitions
from procurement.models import SupplyOrder, SupplyStatus
from procurement.services import orders_progress
from tests.helpers import place_order

pytestmark = pytest.mark.django_db


def test_a_save_over_a_status_moved_since_the_read_is_refused(world):
    order = place_order(world, ("SRV-DL380-G11", "1"))
    orders_progress(actor=world.users["manager"], sales_order=order)  # one open supply order
    first = SupplyOrder.objects.get()
    second = SupplyOrder.objects.get()
    assert isinstance(first, ConcurrentTransitions)
    assert [field.name for field in first.state_fields] == ["status"]

    first.flag_exception(message="no rule")
    first.save()
    second.flag_exception(message="inactive supplier")

    with pytest.raises(ConcurrentTransition), transaction.atomic():
        second.save()
    supply_order = SupplyOrder.objects.get()
    assert (supply_order.status, supply_order.exception_reason) == (
        SupplyStatus.EXCEPTION,
        "no rule",
    )
