"""The Exceptions work area: every open exception of the user's units with the actions
that resolve it, and the page that resolves a stored exception."""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from b2b_portal.links import document_url, viewable_url
from b2b_portal.row_urls import url_for_each
from b2b_portal.web import RoleRequiredMixin
from procurement.models import PurchaseOrderLine

from .. import services, work_area
from ..forms import ExceptionFilterForm, ExceptionResolveForm
from ..models import BusinessException, ExceptionKind
from .changes import ChangeFormView


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
    # A supply order whose PO line or requisition line was cancelled (procurement).
    "resource": ("Re-source", "procurement.add_purchaseorder"),
    "cancel_demand": ("Cancel Demand", "orders.change_salesorderline"),
    "release_hold": ("Release Hold", "invoicing.release_hold"),
    "adjust_to_received": ("Adjust to Received", "invoicing.change_apinvoice"),
    "cancel_invoice": ("Cancel Invoice", "invoicing.change_apinvoice"),
    "close_short": ("Close Short", "procurement.change_purchaseorder"),
    "re_promise": ("Re-promise", "orders.change_salesorderline"),
}
# Whoever works on one kind of document an exception sits on may open the work area.
WORK_AREA_PERMISSIONS = (
    "orders.view_salesorder",
    "procurement.view_purchaseorder",
    "invoicing.view_apinvoice",
)
LATE_SUPPLY_FILTER = urlencode({"kind": work_area.LATE_SUPPLY})
# The sort choices, keys of ``work_area.SORTS``.
SORTS = {
    "opened": "Oldest first",
    "-opened": "Newest first",
    "kind": "Kind",
    "owner": "Owner role",
    "-days_late": "Most days late first",
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
    peg_trace_url: str | None  # of the entry's sales order line


class ExceptionsView(RoleRequiredMixin, TemplateView):
    """Exceptions: every open exception of the user's units, with its owner role, its age
    and the actions that resolve it; filtered by owner and kind, searched, sorted, paged."""

    template_name = "orchestration/exceptions.html"

    def has_permission(self):
        user = self.request.user
        return any(user.has_perm(permission) for permission in WORK_AREA_PERMISSIONS)

    def get_context_data(self, **kwargs):
        user = self.request.user
        total, owners, kinds = work_area.owners_and_kinds(user)
        params = self.request.GET
        form = ExceptionFilterForm(
            params,
            owners=sorted(owners | _chosen(params, "owner")),
            kinds=sorted(kinds | _chosen(params, "kind")),
        )
        filters = form.cleaned_data if form.is_valid() else {}
        sort = params.get("sort") if params.get("sort") in SORTS else "opened"
        shown = []  # no open exception at all: nothing to filter, count or page
        if total:
            shown = work_area.exception_rows(
                user,
                sort=sort,
                owner=filters.get("owner") or "",
                kind=filters.get("kind") or "",
                text=(filters.get("q") or "").strip(),
            )
        page = Paginator(shown, WORK_AREA_PAGE_SIZE).get_page(params.get("page"))
        return super().get_context_data(
            form=form,
            page_obj=page,
            rows=[self.row(entry) for entry in work_area.entries_of(page.object_list)],
            total=total,
            sort=sort,
            sorts=list(SORTS.items()),
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
        line = entry.sales_order_line
        return WorkAreaRow(
            entry=entry,
            document_url=viewable_url(user, entry.document),
            po_line=po_line,
            po_url=viewable_url(user, po_line.purchase_order) if po_line else None,
            actions=actions,
            peg_trace_url=self.url("orchestration:peg_trace", line.pk) if line else None,
        )

    def url(self, name: str, pk: int) -> str:
        """``reverse(name, args=[pk])``, reversed once per request (a page of 25 rows asked
        for about a hundred)."""
        if name not in self.row_urls:
            self.row_urls[name] = url_for_each(name)
        return self.row_urls[name](pk)

    @cached_property
    def row_urls(self) -> dict[str, Callable]:
        """``url_for_each`` of each URL name the rows link to, made when first asked."""
        return {}

    @cached_property
    def back(self) -> str:
        """The query that brings an action's page back to this one."""
        return urlencode({"next": self.request.get_full_path()})

    def action_url(self, name: str, entry, po_line) -> str | None:
        back = self.back
        if name in RESOLUTIONS:
            return resolve_url(entry.document, name)
        if name == "resource":
            return f"{self.url('procurement:supply_resource', entry.document.pk)}?{back}"
        if name in ("cancel_line", "cancel_demand"):
            return f"{self.url('orchestration:line_cancel', entry.sales_order_line.pk)}?{back}"
        if name == "release_hold":
            return document_url(entry.document)
        if name == "adjust_to_received":
            return self.url("invoicing:hold_adjust_to_received", entry.ap_hold.pk)
        if name == "cancel_invoice":
            return self.url("invoicing:ap_cancel", entry.document.pk)
        if name == "re_promise":
            return f"{self.url('orchestration:line_repromise', entry.sales_order_line.pk)}?{back}"
        if name == "close_short" and po_line is not None:
            return f"{self.url('orchestration:po_line_close_short', po_line.pk)}?{back}"
        return None


def _chosen(params, name: str) -> set[str]:
    """A filter value in the query, kept among the choices even when nothing matches it."""
    return {params[name]} if params.get(name) else set()


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
