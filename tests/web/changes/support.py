"""Helpers of the change pages' tests: posting a change form, making a PO line late (past
its promise, or expected after the order line's ship date), and the exceptions each change
leaves."""

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from orchestration.models import BusinessException
from procurement.models import PurchaseOrderLine
from procurement.services import purchase_order_lines_flag_late
from procurement.services.jeopardy import jeopardy_reassess


def form_data(token=None, **fields) -> dict:
    """A change form as the browser posts it, with a fresh submission token unless given."""
    return {"submission_token": token or uuid.uuid4().hex, **fields}


def make_late(world, po_line) -> None:
    """The supplier's promised date has passed, and the daily Late Supply run has seen it."""
    yesterday = timezone.localdate() - timedelta(days=1)
    PurchaseOrderLine.objects.filter(pk=po_line.pk).update(promised_date=yesterday)
    purchase_order_lines_flag_late(actor=world.users["ops"])


def make_days_late(world, po_line, days: int) -> None:
    """The supplier now expects to deliver ``days`` after the order line's scheduled ship
    date, as its acknowledgement would say: jeopardy puts the line at risk, so many days late."""
    ship_date = po_line.sales_order_line.scheduled_ship_date
    expected = ship_date + timedelta(days=days)
    with transaction.atomic():  # as the acknowledgement's service: it locks the lines
        PurchaseOrderLine.objects.filter(pk=po_line.pk).update(expected_date=expected)
        jeopardy_reassess(
            [PurchaseOrderLine.objects.get(pk=po_line.pk)],
            actor=world.users["buyer"],
            reason="Acknowledged",
        )


def exception_rows() -> list:
    """The exceptions table, which ``tests.helpers.snapshot`` does not cover."""
    return sorted(BusinessException.objects.values_list("pk", "status", "quantity"))


def errors_of(response) -> list[str]:
    form = response.context["form"]
    return [str(error) for errors in form.errors.values() for error in errors]
