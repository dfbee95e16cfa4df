"""Home: the open pipeline of the user's units, what waits on them, the exceptions they
own and the lines at risk. Every count reads open work only (docs/decisions.md), so the
page costs the same however much history the units hold; the pipeline and the waiting
counts, which read every open line or waiting document, are counted at most once a minute
for each set of units and roles."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from catalog.units import business_units_of, unit_ids_of, works_in_every_unit

from .. import selectors, work_area
from ..charts import bar_chart
from ..models import OWNER_ROLE
from .exceptions import LATE_SUPPLY_FILTER

EXCEPTIONS_SHOWN = 10
AT_RISK_SHOWN = 10
# Who sees the lines at risk on the dashboard: the clerk, who tells the customer, and the
# buyer, who chases the supplier.
AT_RISK_PERMISSIONS = ("orders.change_salesorderline", "procurement.change_purchaseorder")
# The roles that own some kind of exception of the Exceptions work area.
EXCEPTION_OWNERS = {work_area.BUYER, work_area.AP_ACCOUNTANT, *OWNER_ROLE.values()}


@dataclass(frozen=True)
class WaitingWork:
    """One "waiting on you" count: shown to holders of ``permission``, links to its page."""

    permission: str
    label: str
    rows: Callable
    url_name: str
    query: str = ""


WAITING = [
    WaitingWork(
        "orders.book_salesorder",
        "Entered orders to submit",
        selectors.sales_orders_entered,
        "orders:list",
        "?status=ENTERED",
    ),
    WaitingWork(
        "procurement.add_purchaseorder",
        "Requisition lines awaiting a purchase order",
        selectors.requisition_lines_awaiting_po,
        "procurement:requisitions",
    ),
    WaitingWork(
        "procurement.approve_purchaseorder",
        "Purchase orders pending approval",
        selectors.purchase_orders_pending_approval,
        "procurement:po_list",
        "?status=PENDING_APPROVAL",
    ),
    WaitingWork(
        "receiving.add_receipt",
        "Open purchase orders to receive",
        selectors.purchase_orders_open,
        "receiving:expected",
    ),
    WaitingWork(
        "shipping.add_pickwave",
        "Reserved lines to pick release",
        selectors.lines_awaiting_pick_release,
        "shipping:release",
    ),
    WaitingWork(
        "shipping.confirm_shipment",
        "Shipments to ship confirm",
        selectors.shipments_released,
        "shipping:shipment_list",
        "?status=RELEASED",
    ),
    WaitingWork(
        "invoicing.validate_apinvoice",
        "Draft AP invoices to validate",
        selectors.ap_invoices_draft,
        "invoicing:ap_list",
        "?status=DRAFT",
    ),
    WaitingWork(
        "invoicing.release_hold",
        "AP invoices on hold",
        selectors.ap_invoices_on_hold,
        "invoicing:ap_list",
        "?status=ON_HOLD",
    ),
    WaitingWork(
        "invoicing.run_autoinvoice",
        "Shipped lines to invoice (Import AutoInvoice)",
        selectors.lines_shipped_not_invoiced,
        "processes:schedule",
        "?process=autoinvoice_import",
    ),
    WaitingWork(
        "invoicing.complete_arinvoice",
        "Draft AR invoices to complete",
        selectors.ar_invoices_draft,
        "invoicing:ar_list",
        "?status=DRAFT",
    ),
]


class DashboardView(LoginRequiredMixin, TemplateView):
    """Home: the open pipeline of the user's units, what waits on them, the exceptions they
    own, the lines at risk."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        units = business_units_of(user)
        works = [work for work in WAITING if user.has_perm(work.permission)]
        counts = _counts(user, works)
        waiting = [
            (work.label, count, reverse(work.url_name) + work.query)
            for work, count in zip(works, counts.waiting, strict=True)
        ]
        exceptions = _exceptions_owned_by(user)
        exception_count = None if exceptions is None else exceptions.count()
        if exceptions is not None:
            # No open exception (most users, most of the time): none to load.
            exceptions = _oldest(exceptions) if exception_count else []
        at_risk = late_supply = at_risk_count = None
        if any(user.has_perm(permission) for permission in AT_RISK_PERMISSIONS):
            late_supply = selectors.lines_at_risk_by_days_late(units)
            # Every line at risk falls in one bucket of the chart: their sum is the count.
            at_risk_count = sum(count for _, count in late_supply)
            at_risk = list(selectors.lines_at_risk(units)[:AT_RISK_SHOWN]) if at_risk_count else []
        exceptions_url = reverse("orchestration:exceptions")
        pipeline = [
            (status.label, counts.pipeline.get(status, 0)) for status in selectors.OPEN_STATUSES
        ]
        return super().get_context_data(
            pipeline=pipeline,
            counted_at=counts.counted_at,
            pipeline_chart=bar_chart("pipeline", "Open order lines by status", pipeline),
            late_supply=late_supply,
            late_supply_chart=late_supply
            and bar_chart("late-supply", "Lines at risk by days late", late_supply, fill="#ffc107"),
            waiting=waiting,
            exceptions=exceptions,
            exception_count=exception_count,
            exceptions_url=exceptions_url,
            at_risk=at_risk,
            at_risk_count=at_risk_count,
            late_supply_url=f"{exceptions_url}?{LATE_SUPPLY_FILTER}",
            **kwargs,
        )


@dataclass(frozen=True)
class Counts:
    """The counts of the pipeline and of the waiting work, and when they were made."""

    counted_at: datetime
    pipeline: dict[str, int]  # open lines by status; a status without lines is missing
    waiting: tuple[int, ...]  # one per work, in the order asked


def _counts(user, works: list[WaitingWork]) -> Counts:
    """The pipeline and the ``works`` counts of the user's units. Each reads every open
    line or waiting document, so it grows with the business: the result is kept in the
    cache (Redis in production) for ``HOME_COUNTS_SECONDS`` and shared by every user of
    the same units and works; 0 counts on every request."""
    every_unit = works_in_every_unit(user)
    unit_ids = None if every_unit else list(unit_ids_of(user))
    seconds = settings.HOME_COUNTS_SECONDS
    key = "home:counts:{units}:{works}".format(
        units="all" if every_unit else ",".join(map(str, unit_ids)),
        works=",".join(str(WAITING.index(work)) for work in works),
    )
    counts = cache.get(key) if seconds else None
    if counts is None:
        units = business_units_of(user) if every_unit else unit_ids
        counts = Counts(
            counted_at=timezone.now(),
            pipeline=selectors.line_pipeline(unit_ids),
            waiting=tuple(work.rows(units).count() for work in works),
        )
        if seconds:
            cache.set(key, counts, seconds)
    return counts


def _oldest(rows) -> list:
    return work_area.entries_of(rows[:EXCEPTIONS_SHOWN])


def _exceptions_owned_by(user):
    """The rows of the open exceptions whose owner role the user holds, oldest first (None:
    owns none); the page loads the first ``EXCEPTIONS_SHOWN`` and counts the rest in SQL."""
    roles = set(user.groups.values_list("name", flat=True))
    if not (user.is_superuser or roles & EXCEPTION_OWNERS):
        return None
    owners = None if user.is_superuser else roles
    return work_area.exception_rows(user, owners=owners)
