"""Pages that look across the whole chain: the home dashboard, the Peg Trace, the
changes after booking (cancel, change quantity, close short) and the Exceptions work area.

The change pages are thin: a form asks for the reason, one service does the change and
records who and why, and the message says what the service did.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import DetailView, FormView, TemplateView

from b2b_portal.fields import format_quantity
from b2b_portal.web import OnceOnlyFormMixin, RoleRequiredMixin, UnitScopedMixin
from catalog.units import business_units_of
from orders.models import CANCELLABLE, LineStatus, SalesOrder, SalesOrderLine
from procurement.models import PurchaseOrderLine

from . import selectors, services, work_area
from .forms import (
    CloseShortForm,
    ExceptionFilterForm,
    ExceptionResolveForm,
    LineCancelForm,
    LineQuantityForm,
    OrderCancelForm,
)
from .models import OWNER_ROLE, BusinessException, ExceptionKind

EXCEPTIONS_SHOWN = 10
AT_RISK_SHOWN = 10
# Who sees the lines at risk on the dashboard: the clerk, who tells the customer, and the
# buyer, who chases the supplier.
AT_RISK_PERMISSIONS = ("orders.change_salesorderline", "procurement.change_purchaseorder")
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
        units = business_units_of(user)
        waiting = [
            (work.label, work.rows(units).count(), page_url(work.url_name, work.query))
            for work in WAITING
            if user.has_perm(work.permission)
        ]
        exceptions = _exceptions_owned_by(user)
        at_risk = None
        if any(user.has_perm(permission) for permission in AT_RISK_PERMISSIONS):
            at_risk = selectors.lines_at_risk(units)
        return super().get_context_data(
            pipeline=selectors.line_pipeline(units),
            waiting=waiting,
            exceptions=None if exceptions is None else exceptions[:EXCEPTIONS_SHOWN],
            exception_count=None if exceptions is None else len(exceptions),
            exceptions_url=page_url("orchestration:exceptions"),
            at_risk=None if at_risk is None else list(at_risk[:AT_RISK_SHOWN]),
            at_risk_count=None if at_risk is None else at_risk.count(),
            late_supply_url=page_url("orchestration:exceptions", f"?{LATE_SUPPLY_FILTER}"),
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


# --- Changes after booking ---------------------------------------------------------------


def _with_asked(text: str, raised: list[BusinessException]) -> str:
    """The message of a change, followed by what it now asks of the buyer."""
    asked = " ".join(f"Asked of the buyer: {exception.message}" for exception in raised)
    return f"{text} {asked}" if asked else text


@dataclass(frozen=True)
class LineSupply:
    """Where a line's supply stands, to say on the form what the change will do."""

    po_line: PurchaseOrderLine | None

    @property
    def with_supplier(self) -> bool:
        """The supplier has the PO: the change becomes a split line or an exception."""
        return (
            self.po_line is not None and self.po_line.purchase_order.status not in services.NOT_SENT
        )


class ChangeFormView(RoleRequiredMixin, UnitScopedMixin, OnceOnlyFormMixin, FormView):
    """A form on one document of the user's units (another unit's is a 404): ``perform``
    calls one service and returns the message saying what it did; a refusal is shown on
    the form and changes nothing. Back to the document, or to ``next`` (the work area)."""

    model = None
    related: tuple[str, ...] = ()

    @cached_property
    def object(self):
        queryset = self.model._default_manager.select_related(*self.related)
        return get_object_or_404(self.scope(queryset), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, back_url=self.back_url(), **kwargs)

    def form_valid_once(self, form):
        messages.success(self.request, self.perform(form.cleaned_data))
        return redirect(self.back_url())

    def perform(self, data) -> str:
        raise NotImplementedError

    def document_url(self) -> str:
        raise NotImplementedError

    def back_url(self) -> str:
        back = self.request.GET.get("next", "")
        if back and url_has_allowed_host_and_scheme(
            back, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return back
        return self.document_url()


class LineChangeFormView(ChangeFormView):
    model = SalesOrderLine
    business_unit_path = "order__business_unit"
    related = ("order", "item")
    permission_required = "orders.change_salesorderline"

    def get_context_data(self, **kwargs):
        supply = LineSupply(selectors.live_po_line(self.object))
        return super().get_context_data(line=self.object, supply=supply, **kwargs)

    def document_url(self) -> str:
        return self.object.order.get_absolute_url()


class LineCancelView(LineChangeFormView):
    """Cancel one order line; its supply is released at whatever stage it has reached."""

    form_class = LineCancelForm
    template_name = "orchestration/line_cancel.html"

    def perform(self, data) -> str:
        since = timezone.now()
        line = services.sales_order_line_cancel(
            actor=self.request.user, sales_order_line=self.object, reason=data["reason"]
        )
        return _with_asked(f"{line} is cancelled.", selectors.exceptions_raised_for([line], since))


class LineQuantityView(LineChangeFormView):
    """Change a booked line's quantity; its supply follows, or the buyer is asked."""

    form_class = LineQuantityForm
    template_name = "orchestration/line_quantity.html"

    def get_initial(self):
        return {"quantity": self.object.quantity}

    def perform(self, data) -> str:
        line, since = self.object, timezone.now()
        grown = services.sales_order_line_change_quantity(
            actor=self.request.user,
            sales_order_line=line,
            quantity=data["quantity"],
            reason=data["reason"],
        )
        if grown.pk != line.pk:
            text = (
                f"Line {grown.line_number} added for {format_quantity(grown.quantity)} more, "
                f"pegged to its own supply (split from line {line.line_number}, whose "
                "purchase order stays as the supplier has it)."
            )
        else:
            text = f"{grown} now has quantity {format_quantity(grown.quantity)}."
        return _with_asked(text, selectors.exceptions_raised_for([line], since))


class OrderCancelView(ChangeFormView):
    """Cancel every line of an order that can still be cancelled."""

    model = SalesOrder
    related = ("customer",)
    permission_required = "orders.change_salesorderline"
    form_class = OrderCancelForm
    template_name = "orchestration/order_cancel.html"

    def get_context_data(self, **kwargs):
        lines = list(self.object.lines.select_related("item"))
        return super().get_context_data(
            order=self.object,
            lines=lines,
            cancellable=[line for line in lines if line.status in CANCELLABLE],
            **kwargs,
        )

    def perform(self, data) -> str:
        since = timezone.now()
        lines = services.sales_order_cancel(
            actor=self.request.user, sales_order=self.object, reason=data["reason"]
        )
        numbers = ", ".join(str(line.line_number) for line in lines)
        text = f"{self.object}: {'line' if len(lines) == 1 else 'lines'} {numbers} cancelled."
        return _with_asked(text, selectors.exceptions_raised_for(lines, since))

    def document_url(self) -> str:
        return self.object.get_absolute_url()


class CloseShortView(ChangeFormView):
    """Close a partly received PO line for receiving; its order line is split."""

    model = PurchaseOrderLine
    business_unit_path = "purchase_order__business_unit"
    related = ("purchase_order__supplier", "sales_order_line__order", "item")
    permission_required = "procurement.change_purchaseorder"
    form_class = CloseShortForm
    template_name = "orchestration/close_short.html"

    def get_context_data(self, **kwargs):
        po_line = self.object
        return super().get_context_data(
            po_line=po_line, short=po_line.quantity - po_line.received_quantity, **kwargs
        )

    def perform(self, data) -> str:
        po_line = self.object
        split = services.purchase_order_line_close_short(
            actor=self.request.user,
            purchase_order_line=po_line,
            remainder=data["remainder"],
            reason=data["reason"],
        )
        rest = (
            "is cancelled"
            if split.status == LineStatus.CANCELLED
            else "waits for a supply of its own (Progress Order is queued)"
        )
        received = format_quantity(po_line.received_quantity)
        return (
            f"{po_line} is closed for receiving at {received}. {po_line.sales_order_line} "
            f"keeps the {received} received; line {split.line_number} for the "
            f"{format_quantity(split.quantity)} not delivered {rest}."
        )

    def document_url(self) -> str:
        return self.object.purchase_order.get_absolute_url()


# --- The Exceptions work area ----------------------------------------------------------


@dataclass(frozen=True)
class ExceptionAction:
    """One way to resolve a stored exception: the service, and the kinds it applies to."""

    label: str
    service: Callable
    kinds: tuple[str, ...]
    explanation: str


RESOLUTIONS = {
    "cancel_with_supplier": ExceptionAction(
        "Cancel with Supplier",
        services.exception_cancel_with_supplier,
        (ExceptionKind.SUPPLIER_CANCELLATION,),
        "The supplier agreed: the PO line is cancelled, or closed at what was received, "
        "and the PO with it when no live line is left.",
    ),
    "keep_as_stock": ExceptionAction(
        "Keep as Stock",
        services.exception_keep_as_stock,
        (ExceptionKind.SUPPLIER_CANCELLATION,),
        "The PO stays with the supplier: what still arrives becomes ordinary stock.",
    ),
    "acknowledge": ExceptionAction(
        "Acknowledge",
        services.exception_acknowledge,
        tuple(services.ACKNOWLEDGEABLE),
        "You have told the supplier of the change, or taken note of the surplus stock.",
    ),
}
# The work area's actions: label and the permission that shows them (each page checks
# again). Resolving a stored exception is the buyer's.
ACTIONS = {
    **{name: (r.label, "procurement.change_purchaseorder") for name, r in RESOLUTIONS.items()},
    "cancel_line": ("Cancel Line", "orders.change_salesorderline"),
    "release_hold": ("Release Hold", "invoicing.release_hold"),
    "close_short": ("Close Short", "procurement.change_purchaseorder"),
}
# Whoever works on one kind of document an exception sits on may open the work area.
WORK_AREA_PERMISSIONS = (
    "orders.view_salesorder",
    "procurement.view_purchaseorder",
    "invoicing.view_apinvoice",
)
LATE_SUPPLY_FILTER = urlencode({"kind": work_area.LATE_SUPPLY})
SORTS = {
    "opened": ("Oldest first", lambda entry: entry.opened_at, False),
    "-opened": ("Newest first", lambda entry: entry.opened_at, True),
    "kind": ("Kind", lambda entry: (entry.kind, entry.opened_at), False),
    "owner": ("Owner role", lambda entry: (entry.owner_role, entry.opened_at), False),
}
WORK_AREA_PAGE_SIZE = 25


def resolve_url(exception: BusinessException, action: str) -> str:
    query = urlencode({"exception": exception.pk, "action": action})
    return f"{reverse('orchestration:exception_resolve')}?{query}"


@dataclass
class WorkAreaRow:
    entry: work_area.Entry
    document_url: str | None
    po_line: PurchaseOrderLine | None  # a stored exception's PO line, a late PO line
    po_url: str | None
    actions: list[tuple[str, str]]  # (label, url)


class ExceptionsView(RoleRequiredMixin, TemplateView):
    """Exceptions: every open exception of the user's units, with its owner role, its age
    and the actions that resolve it; filtered by owner and kind, searched, sorted, paged."""

    template_name = "orchestration/exceptions.html"

    def has_permission(self):
        user = self.request.user
        return any(user.has_perm(permission) for permission in WORK_AREA_PERMISSIONS)

    def get_context_data(self, **kwargs):
        entries = work_area.open_exceptions(self.request.user)
        params = self.request.GET
        form = ExceptionFilterForm(
            params,
            owners=sorted({entry.owner_role for entry in entries} | _chosen(params, "owner")),
            kinds=sorted({entry.kind for entry in entries} | _chosen(params, "kind")),
        )
        shown = _filtered(entries, form.cleaned_data if form.is_valid() else {})
        sort = params.get("sort") if params.get("sort") in SORTS else "opened"
        _label, key, descending = SORTS[sort]
        page = Paginator(sorted(shown, key=key, reverse=descending), WORK_AREA_PAGE_SIZE)
        page = page.get_page(params.get("page"))
        return super().get_context_data(
            form=form,
            page_obj=page,
            rows=[self.row(entry) for entry in page.object_list],
            total=len(entries),
            sort=sort,
            sorts=[(name, label) for name, (label, _key, _desc) in SORTS.items()],
            **kwargs,
        )

    def row(self, entry) -> WorkAreaRow:
        po_line = entry.purchase_order_line
        user = self.request.user
        actions = [
            (ACTIONS[name][0], url)
            for name in entry.actions
            if user.has_perm(ACTIONS[name][1])
            and (url := self.action_url(name, entry, po_line)) is not None
        ]
        return WorkAreaRow(
            entry=entry,
            document_url=self.viewable_url(entry.document),
            po_line=po_line,
            po_url=self.viewable_url(po_line.purchase_order) if po_line else None,
            actions=actions,
        )

    def viewable_url(self, document) -> str | None:
        """The document's page, for users who may view that kind of document."""
        opts = document._meta
        if not self.request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            return None
        return document_url(document)

    def action_url(self, name: str, entry, po_line) -> str | None:
        back = urlencode({"next": self.request.get_full_path()})
        if name in RESOLUTIONS:
            return resolve_url(entry.document, name)
        if name == "cancel_line":
            line = entry.sales_order_line
            return f"{reverse('orchestration:line_cancel', args=[line.pk])}?{back}"
        if name == "release_hold":
            return document_url(entry.document)
        if name == "close_short" and po_line is not None:
            return f"{reverse('orchestration:po_line_close_short', args=[po_line.pk])}?{back}"
        return None


def _chosen(params, name: str) -> set[str]:
    """A filter value in the query, kept among the choices even when nothing matches it."""
    return {params[name]} if params.get(name) else set()


def _filtered(entries, filters: dict) -> list:
    owner, kind = filters.get("owner"), filters.get("kind")
    text = (filters.get("q") or "").strip().lower()
    return [
        entry
        for entry in entries
        if (not owner or entry.owner_role == owner)
        and (not kind or entry.kind == kind)
        and (
            not text
            or any(
                text in str(value).lower()
                for value in (entry.document, entry.sales_order_line or "", entry.message)
            )
        )
    ]


class ExceptionResolveView(ChangeFormView):
    """Resolve a stored exception (cancel with supplier, keep as stock, acknowledge).

    The exception and the action come in the query (``?exception=12&action=keep_as_stock``)
    so that the page is reached from the work area's links; without them it is the work
    area. An action that does not apply to the exception's kind is a 404.
    """

    model = BusinessException
    related = ("purchase_order_line__purchase_order__supplier", "sales_order_line__order")
    permission_required = "procurement.change_purchaseorder"
    form_class = ExceptionResolveForm
    template_name = "orchestration/exception_resolve.html"

    def get(self, request, *args, **kwargs):
        if "exception" not in request.GET:
            return redirect("orchestration:exceptions")
        return super().get(request, *args, **kwargs)

    @cached_property
    def object(self):
        try:
            pk = int(self.request.GET.get("exception", ""))
        except ValueError:
            raise Http404("No such exception.") from None
        queryset = self.model._default_manager.select_related(*self.related)
        exception = get_object_or_404(self.scope(queryset), pk=pk)
        if exception.kind not in self.resolution.kinds:
            raise Http404(f"{exception} cannot be resolved that way.")
        return exception

    @cached_property
    def resolution(self) -> ExceptionAction:
        resolution = RESOLUTIONS.get(self.request.GET.get("action", ""))
        if resolution is None:
            raise Http404("No such action.")
        return resolution

    def get_context_data(self, **kwargs):
        return super().get_context_data(exception=self.object, resolution=self.resolution, **kwargs)

    def perform(self, data) -> str:
        exception = self.resolution.service(
            actor=self.request.user, exception=self.object, reason=data["reason"]
        )
        return f"{exception} is resolved: {exception.get_resolution_display()}."

    def document_url(self) -> str:
        return reverse("orchestration:exceptions")
