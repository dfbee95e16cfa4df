"""Pages that look across the whole chain: the home dashboard and the Peg Trace."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import NoReverseMatch, reverse
from django.views.generic import DetailView, TemplateView

from b2b_portal.web import RoleRequiredMixin, UnitScopedMixin
from orders.models import SalesOrderLine

from . import selectors, work_area
from .models import OWNER_ROLE

EXCEPTIONS_SHOWN = 10
# The roles that own some kind of exception of the Exceptions work area.
EXCEPTION_OWNERS = {work_area.BUYER, work_area.AP_ACCOUNTANT, *OWNER_ROLE.values()}


def document_url(document) -> str | None:
    """The document's own page, or None while it has none (or its page is not built yet)."""
    get_absolute_url = getattr(document, "get_absolute_url", None)
    if get_absolute_url is None:
        return None
    try:
        return get_absolute_url()
    except NoReverseMatch:
        return None


def page_url(name: str, query: str = "") -> str | None:
    """A workbench page's URL with a ready-made filter, or None where the page is missing."""
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return None


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
    """Home: the pipeline of the user's units, what waits on them, the exceptions they own."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        units = selectors.business_units_of(user)
        waiting = [
            (work.label, work.rows(units).count(), page_url(work.url_name, work.query))
            for work in WAITING
            if user.has_perm(work.permission)
        ]
        exceptions = _exceptions_owned_by(user)
        return super().get_context_data(
            pipeline=selectors.line_pipeline(units),
            waiting=waiting,
            exceptions=None if exceptions is None else exceptions[:EXCEPTIONS_SHOWN],
            exception_count=None if exceptions is None else len(exceptions),
            exceptions_url=page_url("orchestration:exceptions"),
            **kwargs,
        )


def _exceptions_owned_by(user) -> list | None:
    """The open exceptions whose owner role the user holds, oldest first (None: owns none)."""
    roles = set(user.groups.values_list("name", flat=True))
    if not (user.is_superuser or roles & EXCEPTION_OWNERS):
        return None
    return [
        entry
        for entry in work_area.open_exceptions(user)
        if user.is_superuser or entry.owner_role in roles
    ]


class PegTraceView(RoleRequiredMixin, UnitScopedMixin, DetailView):
    """The whole chain behind one sales order line.

    Open to a user of the line's business unit (another unit's line is a 404) who may view
    any document of the chain (every role may): the trace shows numbers, statuses,
    quantities, dates and users, never prices. A document is linked only for users who
    may view it, and its page checks again.
    """

    model = SalesOrderLine
    business_unit_path = "order__business_unit"
    template_name = "orchestration/peg_trace.html"
    context_object_name = "line"

    def has_permission(self):
        user = self.request.user
        return any(user.has_perm(permission) for permission in selectors.TRACE_PERMISSIONS)

    def get_queryset(self):
        return super().get_queryset().select_related("order__customer", "item")

    def get_context_data(self, **kwargs):
        trace = selectors.peg_trace(self.object)
        user = self.request.user
        for _stage, entries in trace.stages:
            for entry in entries:
                if user.has_perm(entry.view_permission):
                    entry.url = document_url(entry.document)
        return super().get_context_data(trace=trace, **kwargs)
