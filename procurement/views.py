"""The buyer's workbench: Process Requisitions with its Document Builder, Manage Purchase
Orders, the PO page with its approval actions, and the printable PO."""

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from itertools import groupby

from django.contrib import messages
from django.db.models import Count, Prefetch, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import DetailView, FormView, ListView
from django_fsm import can_proceed

from b2b_portal.document_lines import HISTORY_PARAMETER, lines_total, paged
from b2b_portal.errors import ApplicationError
from b2b_portal.fields import format_quantity
from b2b_portal.history import DocumentHistory
from b2b_portal.lists import Column, SearchableListMixin
from b2b_portal.pdf import PDFMixin
from b2b_portal.queries import AMOUNT, line_amount, lines_aggregate
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
    POStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    RequisitionLine,
    RequisitionStatus,
)
from .selectors import LIVE_PO_LINES, po_grouping_key, purchase_orders_filtered
from .services import (
    CANCELLABLE_PO,
    purchase_order_approve,
    purchase_order_line_update,
    purchase_order_note_set,
    purchase_order_reject,
    purchase_order_submit,
    purchase_orders_create_from_requisitions,
)

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
        return super().get_context_data(in_builder=set(self.builder.line_ids), **kwargs)


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


class PurchaseOrderListView(RoleRequiredMixin, UnitScopedMixin, SearchableListMixin, ListView):
    """Manage Purchase Orders: find POs by number, supplier, item and status."""

    template_name = "procurement/po_list.html"
    export_name = "purchase-orders"
    permission_required = "procurement.view_purchaseorder"
    context_object_name = "purchase_orders"
    search_form_class = PurchaseOrderSearchForm
    queryset = PurchaseOrder.objects.select_related(
        "supplier", "supplier_site", "ship_to_warehouse", "buyer"
    ).annotate(
        total=Coalesce(
            lines_aggregate(
                PurchaseOrderLine,
                Sum(line_amount()),
                document="purchase_order",
                condition=LIVE_PO_LINES,
            ),
            Value(Decimal("0")),
            output_field=AMOUNT,
        ),
        line_count=Coalesce(
            lines_aggregate(
                PurchaseOrderLine, Count("pk"), document="purchase_order", condition=LIVE_PO_LINES
            ),
            0,
        ),
    )
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


PO_LINES = PurchaseOrderLine.objects.select_related(
    "item", "sales_order_line__order", "cancelled_by"
)


class PurchaseOrderMixin(RoleRequiredMixin, UnitScopedMixin):
    permission_required = "procurement.view_purchaseorder"
    context_object_name = "purchase_order"
    queryset = PurchaseOrder.objects.select_related(
        "business_unit", "supplier", "supplier_site", "ship_to_warehouse", "buyer", "approved_by"
    )


class PurchaseOrderDetailView(PurchaseOrderMixin, DetailView):
    """The PO page: its lines a page at a time (b2b_portal.document_lines), the total over
    all of them."""

    template_name = "procurement/po_detail.html"

    def get_context_data(self, **kwargs):
        purchase_order, user = self.object, self.request.user
        may_approve = user.has_perm("procurement.approve_purchaseorder")
        may_change = user.has_perm("procurement.change_purchaseorder")
        lines = PO_LINES.filter(purchase_order=purchase_order)
        return super().get_context_data(
            line_page=paged(self.request, lines),
            total_amount=lines_total(lines, condition=LIVE_PO_LINES),
            can_submit=may_change and can_proceed(purchase_order.submit),
            # procurement.services.editing: only a Draft PO is edited.
            can_edit=may_change and purchase_order.status == POStatus.DRAFT,
            can_approve=may_approve and can_proceed(purchase_order.approve),
            can_reject=may_approve and can_proceed(purchase_order.reject),
            # A PO the supplier may still be asked to cancel (procurement.services.cancellation).
            can_cancel=may_change and purchase_order.status in CANCELLABLE_PO,
            receipts=purchase_order.receipts.select_related("received_by", "warehouse"),
            history=paged(
                self.request,
                DocumentHistory(
                    "PO",
                    purchase_order.history.all(),
                    PurchaseOrderLine.history.filter(purchase_order_id=purchase_order.pk),
                ),
                parameter=HISTORY_PARAMETER,
            ),
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
