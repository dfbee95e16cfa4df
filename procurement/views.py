"""The buyer's workbench: Process Requisitions with its Document Builder, Manage Purchase
Orders, the PO page with its approval actions, and the printable PO."""

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from itertools import groupby

from django.contrib import messages
from django.db.models import F, Prefetch
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.utils.timezone import localtime
from django.views import View
from django.views.generic import DetailView, FormView, ListView
from django_fsm import can_proceed

from b2b_portal.document_lines import paged
from b2b_portal.errors import ApplicationError
from b2b_portal.fields import format_quantity
from b2b_portal.history import DocumentHistory, history_cells
from b2b_portal.lists import Column, SearchableListMixin
from b2b_portal.pdf import PDFMixin
from b2b_portal.queries import line_amount
from b2b_portal.row_urls import url_for_each
from b2b_portal.templatetags.formatting import EMPTY, money, quantity
from b2b_portal.web import OnceOnlyFormMixin, RoleRequiredMixin, ServiceActionView, UnitScopedMixin
from invoicing.tax import tax_at_current_rates
from orchestration.views.changes import ChangeFormView
from processes.batching import filter_by

from .forms import (
    DocumentBuilderCreateForm,
    PurchaseOrderLineEditForm,
    PurchaseOrderSearchForm,
    RejectForm,
    RequisitionSelectionForm,
    SupplierNoteForm,
    SupplyFilterForm,
)
from .models import (
    POLineStatus,
    POStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    RequisitionLine,
    RequisitionStatus,
)
from .selectors import po_grouping_key, purchase_orders_filtered
from .services import (
    CANCELLABLE_PO,
    purchase_order_approve,
    purchase_order_line_update,
    purchase_order_note_set,
    purchase_order_reject,
    purchase_order_submit,
    purchase_orders_create_from_requisitions,
)
from .templatetags.pegs import PegLinks

# --- Process Requisitions and the Document Builder -------------------------------------


class DocumentBuilder:
    """The requisition lines a buyer picked, kept in the session until Create or Clear."""

    session_key = "procurement:document_builder"

    def __init__(self, session):
        self.session = session

    @property
    def line_ids(self) -> list[int]:
        return self.session.get(self.session_key, [])

    def add(self, line_ids) -> None:
        self.session[self.session_key] = sorted(set(self.line_ids) | set(line_ids))

    def remove(self, line_id: int) -> None:
        self.session[self.session_key] = [pk for pk in self.line_ids if pk != line_id]

    def clear(self) -> None:
        self.session.pop(self.session_key, None)


# The four small catalog tables are prefetched, not joined: with them the list query
# joined nine tables, whose planning (9 ms) cost more than the four lookups (docs/benchmarks.md).
REQUISITION_LINES = (
    RequisitionLine.objects.select_related("requisition", "sales_order_line__order")
    .prefetch_related("item", "supplier", "supplier_site", "deliver_to_warehouse")
    .annotate(amount=line_amount())
)


class RequisitionLinesMixin(RoleRequiredMixin, UnitScopedMixin):
    permission_required = "procurement.add_purchaseorder"
    business_unit_path = "requisition__business_unit"

    def requisition_lines(self):
        return self.scope(REQUISITION_LINES.all())

    @cached_property
    def builder(self) -> DocumentBuilder:
        return DocumentBuilder(self.request.session)


class ProcessRequisitionsView(RequisitionLinesMixin, SearchableListMixin, ListView):
    """Approved requisition lines that no PO covers yet, to pick for the Document Builder."""

    template_name = "procurement/requisitions.html"
    export_name = "requisition-lines"
    context_object_name = "requisition_lines"
    search_form_class = SupplyFilterForm
    columns = [
        Column("Select", hidden=True),
        Column("Requisition", "requisition", "requisition_id", value="requisition.number"),
        Column("Item", "item", "item__number", value="item.number"),
        Column("Supplier", "supplier", "supplier__name", value="supplier.name"),
        Column("Site", value="supplier_site.code"),
        Column("Deliver to", value="deliver_to_warehouse.code"),
        Column("Quantity", "quantity", "quantity", css="num", value="quantity", kind="quantity"),
        Column("Price", css="num", value="unit_price", kind="money", currency="currency_code"),
        Column("Amount", "amount", "amount", css="num", value="amount", kind="money"),
        Column("Need by", "need_by", "need_by_date", value="need_by_date"),
        Column("Sales order line", value="sales_order_line"),
    ]
    default_sort = "need_by"
    queryset = REQUISITION_LINES.filter(status=RequisitionStatus.APPROVED)

    def filter_queryset(self, queryset, data: dict):
        return filter_by(queryset, supplier=data["supplier"], item=data["item"])

    def get_context_data(self, **kwargs):
        in_builder = set(self.builder.line_ids)
        context = super().get_context_data(in_builder=in_builder, **kwargs)
        context["rows"] = self.rows(context["requisition_lines"], in_builder)
        return context

    def rows(self, lines, in_builder: set) -> list[dict]:
        """The page's lines as they show, in one pass: the template only prints them (issue
        13: the per-row peg include, URLs and lookups were most of the page's time)."""
        user = self.request.user
        pegs = PegLinks(user)
        cancel_url = None
        if user.has_perm("procurement.change_purchaseorder"):
            cancel_url = url_for_each("procurement:requisition_line_cancel")
        return [
            {
                "pk": line.pk,
                "label": str(line),
                "in_builder": line.pk in in_builder,
                "requisition": line.requisition.number,
                "item": line.item.number,
                "supplier": line.supplier.name,
                "site": line.supplier_site.code,
                "warehouse": line.deliver_to_warehouse.code,
                "quantity": quantity(line.quantity),
                "price": money(line.unit_price, line.currency_code),
                "amount": money(line.amount),
                "need_by": line.need_by_date.isoformat(),
                "peg": pegs.cell(
                    line.sales_order_line_id,
                    line.sales_order_line and line.sales_order_line.line_number,
                    line.sales_order_line and line.sales_order_line.order_id,
                ),
                "cancel_url": cancel_url and cancel_url(line.pk),
            }
            for line in lines
        ]


class DocumentBuilderAddView(RequisitionLinesMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        form = RequisitionSelectionForm(
            request.POST,
            lines=self.requisition_lines().filter(status=RequisitionStatus.APPROVED),
        )
        if not form.is_valid():
            for error in form.errors["lines"]:
                messages.error(request, error)
            return redirect("procurement:requisitions")
        lines = form.cleaned_data["lines"]
        self.builder.add(line.pk for line in lines)
        noun = "line" if len(lines) == 1 else "lines"
        messages.success(request, f"{len(lines)} {noun} added to the Document Builder.")
        return redirect("procurement:document_builder")


class DocumentBuilderRemoveView(RequisitionLinesMixin, View):
    http_method_names = ["post"]

    def post(self, request, req_line):
        line = get_object_or_404(self.requisition_lines(), pk=req_line)
        self.builder.remove(line.pk)
        return redirect("procurement:document_builder")


class DocumentBuilderClearView(RequisitionLinesMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        self.builder.clear()
        messages.success(request, "The Document Builder is empty.")
        return redirect("procurement:requisitions")


@dataclass
class DraftPurchaseOrder:
    """What one PO made by Create will hold: the lines of one supplier, site, currency and
    ship-to warehouse, as ``purchase_orders_create_from_requisitions`` groups them."""

    lines: list

    @property
    def first(self):
        return self.lines[0]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), start=Decimal("0"))


class DocumentBuilderView(RequisitionLinesMixin, OnceOnlyFormMixin, FormView):
    """The picked lines grouped into the POs that Create will make."""

    template_name = "procurement/document_builder.html"
    form_class = DocumentBuilderCreateForm

    def builder_lines(self):
        return self.requisition_lines().filter(pk__in=self.builder.line_ids)

    def get_context_data(self, **kwargs):
        lines = self.builder_lines().order_by(
            "requisition__business_unit_id",
            "supplier__name",
            "supplier_id",
            "supplier_site_id",
            "currency_code",
            "deliver_to_warehouse_id",
            Coalesce("item__buyer_id", "supplier__buyer_id"),  # the assigned buyer
            "pk",
        )
        drafts = [DraftPurchaseOrder(list(group)) for _, group in groupby(lines, po_grouping_key)]
        return super().get_context_data(drafts=drafts, **kwargs)

    def form_valid_once(self, form):
        purchase_orders = purchase_orders_create_from_requisitions(
            actor=self.request.user, requisition_lines=list(self.builder_lines())
        )
        self.builder.clear()
        numbers = ", ".join(po.number for po in purchase_orders)
        messages.success(self.request, f"Created draft purchase orders: {numbers}.")
        return redirect(purchase_orders[0])


# --- Manage Purchase Orders, the PO page and its actions -------------------------------


PO_STATUS_LABELS = dict(POStatus.choices)


class PurchaseOrderListView(RoleRequiredMixin, UnitScopedMixin, SearchableListMixin, ListView):
    """Manage Purchase Orders: find POs by number, supplier, item and status."""

    template_name = "procurement/po_list.html"
    export_name = "purchase-orders"
    permission_required = "procurement.view_purchaseorder"
    context_object_name = "purchase_orders"
    search_form_class = PurchaseOrderSearchForm
    # The header's stored totals (procurement.totals), not a sum over each PO's lines.
    queryset = PurchaseOrder.objects.select_related(
        "supplier", "supplier_site", "ship_to_warehouse", "buyer"
    ).annotate(total=F("lines_total"))
    columns = [
        Column("Order", "number", "pk", value="number"),
        Column("Supplier", "supplier", "supplier__name", value="supplier.name"),
        Column("Site", value="supplier_site.code"),
        Column("Ship to", value="ship_to_warehouse.code"),
        Column("Status", "status", "status", value="get_status_display"),
        Column("Buyer", value="buyer.get_username"),
        Column("Created", "created", "created_at", value="created_at", kind="date"),
        Column("Lines", css="num", value="line_count"),
        Column(
            "Total",
            "total",
            "total",
            css="num",
            value="total",
            kind="money",
            currency="currency_code",
        ),
    ]

    def filter_queryset(self, queryset, data: dict):
        return purchase_orders_filtered(queryset, **data)

    def get_context_data(self, **kwargs):
        """The page's purchase orders as they show, in one pass: the template only prints
        them (issue 13)."""
        context = super().get_context_data(**kwargs)
        po_url = url_for_each("procurement:po_detail")
        context["rows"] = [
            {
                "url": po_url(purchase_order.pk),
                "number": purchase_order.number,
                "supplier": purchase_order.supplier.name,
                "site": purchase_order.supplier_site.code,
                "ship_to": purchase_order.ship_to_warehouse.code,
                "status": PO_STATUS_LABELS[purchase_order.status],
                "buyer": purchase_order.buyer.get_username(),
                "created": localtime(purchase_order.created_at).date().isoformat(),
                "line_count": purchase_order.line_count,
                "total": money(purchase_order.total, purchase_order.currency_code),
            }
            for purchase_order in context["purchase_orders"]
        ]
        return context


PO_LINES = PurchaseOrderLine.objects.select_related(
    "item", "sales_order_line__order", "cancelled_by"
)


class PurchaseOrderMixin(RoleRequiredMixin, UnitScopedMixin):
    permission_required = "procurement.view_purchaseorder"
    context_object_name = "purchase_order"
    queryset = PurchaseOrder.objects.select_related(
        "business_unit", "supplier", "supplier_site", "ship_to_warehouse", "buyer", "approved_by"
    )


# The historical models' own managers: ``PurchaseOrder.history`` makes a manager class on
# every access (simple_history's ``from_queryset``, about a millisecond each).
HISTORICAL_PO = PurchaseOrder.history.model
HISTORICAL_PO_LINE = PurchaseOrderLine.history.model

# What the PO page shows of a line, read as values: no model for a line, its item or peg.
PO_LINE_FIELDS = (
    "pk",
    "line_number",
    "item__number",
    "item__description",
    "quantity",
    "unit_price",
    "amount",
    "promised_date",
    "expected_date",
    "received_quantity",
    "billed_quantity",
    "status",
    "sales_order_line_id",
    "sales_order_line__line_number",
    "sales_order_line__order_id",
    "cancel_reason",
    "cancelled_by__username",
)
PO_LINE_STATUS_LABELS = dict(POLineStatus.choices)


@dataclass(frozen=True, slots=True)
class POLineRow:
    """A line of the PO page as it shows: every cell formatted, every link made."""

    pk: int
    line_number: int
    item_number: str
    item_description: str
    quantity: str
    unit_price: str
    amount: str
    promised: str
    expected: str
    received: str
    billed: str
    status: str
    peg: str
    edit_url: str | None
    close_short_url: str | None
    cancel_url: str | None
    cancel_reason: str
    cancelled_by: str


class POLineRows:
    """Builds the rows of one request's PO page: the URLs reversed once, not per line."""

    def __init__(self, user, *, can_edit: bool, can_cancel: bool, may_change: bool):
        self.pegs = PegLinks(user)
        self.edit_url = url_for_each("procurement:po_line_edit") if can_edit else None
        self.cancel_url = url_for_each("procurement:po_line_cancel") if can_cancel else None
        # Close Short: what orchestration.services accepts, an open, pegged, partly
        # received line, for holders of procurement.change_purchaseorder.
        self.close_short_url = (
            url_for_each("orchestration:po_line_close_short") if may_change else None
        )

    def row(self, line: dict) -> POLineRow:
        pk, so_line_id = line["pk"], line["sales_order_line_id"]
        is_open, received = line["status"] == POLineStatus.OPEN, line["received_quantity"]
        return POLineRow(
            pk=pk,
            line_number=line["line_number"],
            item_number=line["item__number"],
            item_description=line["item__description"],
            quantity=quantity(line["quantity"]),
            unit_price=money(line["unit_price"]),
            amount=money(line["amount"]),
            promised=line["promised_date"].isoformat(),
            expected=(line["expected_date"] or line["promised_date"]).isoformat()
            if is_open
            else EMPTY,
            received=quantity(received),
            billed=quantity(line["billed_quantity"]),
            status=PO_LINE_STATUS_LABELS[line["status"]],
            peg=self.pegs.cell(
                so_line_id,
                line["sales_order_line__line_number"],
                line["sales_order_line__order_id"],
            ),
            edit_url=self.edit_url(pk) if self.edit_url and is_open else None,
            close_short_url=self.close_short_url(pk)
            if self.close_short_url and is_open and so_line_id and received
            else None,
            cancel_url=self.cancel_url(pk)
            if self.cancel_url and is_open and not received
            else None,
            cancel_reason=line["cancel_reason"],
            cancelled_by=line["cancelled_by__username"] or "",
        )


class PurchaseOrderDetailView(PurchaseOrderMixin, DetailView):
    """The PO page: its lines a page at a time (b2b_portal.document_lines), the total over
    all of them as the PO stores it (procurement.totals). Its lines and history are
    formatted in the view, the template only prints them (issue 13: 500-line POs)."""

    template_name = "procurement/po_detail.html"

    def get_context_data(self, **kwargs):
        purchase_order, user = self.object, self.request.user
        may_approve = user.has_perm("procurement.approve_purchaseorder")
        may_change = user.has_perm("procurement.change_purchaseorder")
        # procurement.services.editing: only a Draft PO is edited.
        can_edit = may_change and purchase_order.status == POStatus.DRAFT
        # A PO the supplier may still be asked to cancel (procurement.services.cancellation).
        can_cancel = may_change and purchase_order.status in CANCELLABLE_PO
        lines = PurchaseOrderLine.objects.filter(purchase_order=purchase_order)
        # Paged as models, read as values: the count then joins nothing.
        line_page = paged(self.request, lines.annotate(amount=line_amount()))
        rows = POLineRows(user, can_edit=can_edit, can_cancel=can_cancel, may_change=may_change)
        line_page.object_list = [
            rows.row(line) for line in line_page.object_list.values(*PO_LINE_FIELDS)
        ]
        history = DocumentHistory(
            "PO",
            HISTORICAL_PO.objects.filter(id=purchase_order.pk),
            HISTORICAL_PO_LINE.objects.filter(purchase_order_id=purchase_order.pk),
        ).page(self.request)
        return super().get_context_data(
            line_page=line_page,
            total_amount=purchase_order.lines_total,
            can_submit=may_change and can_proceed(purchase_order.submit),
            can_edit=can_edit,
            can_approve=may_approve and can_proceed(purchase_order.approve),
            can_reject=may_approve and can_proceed(purchase_order.reject),
            can_cancel=can_cancel,
            receipts=purchase_order.receipts.select_related("received_by", "warehouse"),
            history=history,
            history_rows=history_cells(history),
            **kwargs,
        )


class PurchaseOrderPrintView(PDFMixin, PurchaseOrderMixin, DetailView):
    """The PO as the supplier receives it (a page, or a PDF with ``pdf=True``)."""

    template_name = "procurement/po_print.html"
    queryset = PurchaseOrderMixin.queryset.prefetch_related(Prefetch("lines", queryset=PO_LINES))

    def get_context_data(self, **kwargs):
        purchase_order = self.object
        lines = [line for line in purchase_order.lines.all() if line.is_live]
        tax = tax_at_current_rates(business_unit_id=purchase_order.business_unit_id, lines=lines)
        return super().get_context_data(tax=tax, **kwargs)


class PurchaseOrderSubmitView(ServiceActionView):
    permission_required = "procurement.change_purchaseorder"
    model = PurchaseOrder
    success_message = "{obj} is submitted for approval."

    def perform(self, obj):
        return purchase_order_submit(actor=self.request.user, purchase_order=obj)


class PurchaseOrderApproveView(ServiceActionView):
    permission_required = "procurement.approve_purchaseorder"
    model = PurchaseOrder
    success_message = "{obj} is approved and sent to the supplier."

    def perform(self, obj):
        return purchase_order_approve(actor=self.request.user, purchase_order=obj)


class PurchaseOrderRejectView(RoleRequiredMixin, UnitScopedMixin, FormView):
    """Return a PO to its buyer; the reason is required."""

    permission_required = "procurement.approve_purchaseorder"
    model = PurchaseOrder
    template_name = "procurement/po_reject.html"
    form_class = RejectForm

    @cached_property
    def purchase_order(self) -> PurchaseOrder:
        return get_object_or_404(self.scope(PurchaseOrder.objects.all()), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(purchase_order=self.purchase_order, **kwargs)

    def form_valid(self, form):
        try:
            purchase_order = purchase_order_reject(
                actor=self.request.user,
                purchase_order=self.purchase_order,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"{purchase_order} is returned to its buyer as a draft.")
        return redirect(purchase_order)


# --- Editing a Draft PO (procurement.services.editing) ----------------------------------


class PurchaseOrderLineEditView(ChangeFormView):
    """Change a Draft PO line's price, promised date or quantity."""

    model = PurchaseOrderLine
    business_unit_path = "purchase_order__business_unit"
    related = ("purchase_order__supplier", "sales_order_line__order", "item")
    permission_required = "procurement.change_purchaseorder"
    form_class = PurchaseOrderLineEditForm
    template_name = "procurement/po_line_edit.html"

    def get_initial(self):
        line = self.object
        return {
            "unit_price": line.unit_price,
            "promised_date": line.promised_date,
            "quantity": line.quantity,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(po_line=self.object, **kwargs)

    def perform(self, data) -> str:
        line = self.object
        so_line_quantity = line.sales_order_line.quantity if line.sales_order_line else None
        line = purchase_order_line_update(
            actor=self.request.user,
            line=line,
            unit_price=data["unit_price"],
            promised_date=data["promised_date"],
            quantity=data["quantity"],
        )
        text = f"{line} is changed."
        so_line = line.sales_order_line
        if so_line is not None and so_line.quantity != so_line_quantity:
            rest = format_quantity(so_line_quantity - so_line.quantity)
            text += (
                f" {so_line} now needs {format_quantity(so_line.quantity)}; the other {rest} "
                "is a new order line that Progress Order supplies again."
            )
        return text

    def document_url(self) -> str:
        return self.object.purchase_order.get_absolute_url()


class PurchaseOrderNoteView(ChangeFormView):
    """Write the note the supplier reads on a Draft PO."""

    model = PurchaseOrder
    related = ("supplier",)
    permission_required = "procurement.change_purchaseorder"
    form_class = SupplierNoteForm
    template_name = "procurement/po_note.html"

    def get_initial(self):
        return {"note": self.object.supplier_note}

    def perform(self, data) -> str:
        purchase_order = purchase_order_note_set(
            actor=self.request.user, purchase_order=self.object, note=data["note"]
        )
        if purchase_order.supplier_note:
            return f"The note to the supplier of {purchase_order} is saved."
        return f"The note to the supplier of {purchase_order} is removed."

    def document_url(self) -> str:
        return self.object.get_absolute_url()
