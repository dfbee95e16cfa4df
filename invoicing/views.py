"""The AP and AR Accountants' workbenches.

Payables: Create Invoice matched to an approved PO, AP invoices, Validate, Pay, release a
hold. Receivables: AR invoices made by Import AutoInvoice, Complete (one, or those selected on
the list), the printable invoice.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.db.models import F, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import DetailView, FormView, ListView
from django_fsm import can_proceed

from b2b_portal.document_lines import paged
from b2b_portal.errors import ApplicationError
from b2b_portal.fields import format_money, format_quantity, round_money
from b2b_portal.history import DocumentHistory
from b2b_portal.lists import Column, SearchableListMixin
from b2b_portal.numbers import document_number
from b2b_portal.pdf import PDFMixin
from b2b_portal.queries import lines_aggregate, number_match
from b2b_portal.row_urls import url_for_each
from b2b_portal.web import OnceOnlyFormMixin, RoleRequiredMixin, ServiceActionView, UnitScopedMixin
from orders.models import LineStatus, SalesOrder
from orders.numbers import sales_order_number
from processes.batching import filter_by
from procurement.models import POLineStatus, PurchaseOrder, PurchaseOrderLine
from procurement.selectors import LIVE_PO_LINES
from procurement.templatetags.pegs import PegLinks
from shipping.models import Shipment

from .forms import (
    APInvoiceForm,
    APInvoiceSearchForm,
    ARInvoiceSearchForm,
    ARInvoiceSelectionForm,
    HoldReleaseForm,
    InvoiceablePurchaseOrderSearchForm,
)
from .models import (
    APInvoice,
    APInvoiceHold,
    APInvoiceLine,
    APStatus,
    ARCreditMemo,
    ARInvoice,
    ARInvoiceLine,
    ARStatus,
)
from .selectors import lines_to_bill
from .services import (
    INVOICEABLE_PO_STATUSES,
    ap_invoice_create,
    ap_invoice_hold_release,
    ap_invoice_pay,
    ap_invoice_validate,
    ar_invoice_complete,
    ar_invoices_complete,
)
from .tax import tax_of_lines
from .totals import invoice_total

COMPLETE_AR = "invoicing.complete_arinvoice"


def _invoice_cells(invoice) -> dict:
    """The cells an AP and an AR invoice list row share, formatted in the view: a list page
    renders its rows as plain values (issue 13: per-cell filters and URL lookups)."""
    return {
        "invoice_date": invoice.invoice_date.isoformat(),
        "status": invoice.get_status_display(),
        "total": format_money(invoice.total or 0, invoice.currency_code),
    }


# --- Payables -----------------------------------------------------------------------------


class PurchaseOrderChoiceView(RoleRequiredMixin, UnitScopedMixin, SearchableListMixin, ListView):
    """Create Invoice, step 1: the approved POs of the user's units to invoice against."""

    permission_required = "invoicing.add_apinvoice"
    template_name = "invoicing/ap_create.html"
    export_name = "purchase-orders-to-invoice"
    search_form_class = InvoiceablePurchaseOrderSearchForm
    queryset = (
        PurchaseOrder.objects.filter(status__in=INVOICEABLE_PO_STATUSES)
        .select_related("supplier")
        .annotate(
            to_bill=lines_aggregate(
                PurchaseOrderLine,
                Sum(F("received_quantity") - F("billed_quantity")),
                document="purchase_order",
                condition=LIVE_PO_LINES,
            )
        )
    )
    columns = [
        Column("Purchase order", "number", "pk", value="number"),
        Column("Supplier", "supplier", "supplier__name", value="supplier"),
        Column("Status", "status", "status", value="get_status_display"),
        Column("Approved", "approved", "approved_at", value="approved_at", kind="date"),
        Column(
            "Received, not billed",
            "to_bill",
            "to_bill",
            css="num",
            value="to_bill",
            kind="quantity",
        ),
        Column("Create Invoice", hidden=True),
    ]

    def text_match(self, text):
        return (
            Q(supplier__name__icontains=text)
            | Q(supplier__number__iexact=text)
            | number_match(document_number(text, "PO"))
        )


class APInvoiceCreateView(RoleRequiredMixin, UnitScopedMixin, OnceOnlyFormMixin, FormView):
    """Create Invoice, step 2: the supplier's invoice, its lines prefilled from the PO."""

    permission_required = "invoicing.add_apinvoice"
    form_class = APInvoiceForm
    template_name = "invoicing/ap_create_for_po.html"

    @cached_property
    def purchase_order(self):
        orders = PurchaseOrder.objects.select_related("supplier", "ship_to_warehouse")
        return get_object_or_404(self.scope(orders), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "po_lines": lines_to_bill(self.purchase_order)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            purchase_order=self.purchase_order,
            invoiceable=self.purchase_order.status in INVOICEABLE_PO_STATUSES,
            **kwargs,
        )

    def form_valid_once(self, form):
        data = form.cleaned_data
        invoice = ap_invoice_create(
            actor=self.request.user,
            purchase_order=self.purchase_order,
            supplier_invoice_number=data["supplier_invoice_number"],
            invoice_date=data["invoice_date"],
            lines=form.invoice_lines(),
        )
        messages.success(
            self.request, f"{invoice} is entered. Validate it to match it to the receipts."
        )
        return redirect(invoice)


class APInvoiceListView(RoleRequiredMixin, UnitScopedMixin, SearchableListMixin, ListView):
    permission_required = "invoicing.view_apinvoice"
    template_name = "invoicing/ap_list.html"
    export_name = "ap-invoices"
    search_form_class = APInvoiceSearchForm
    # The header's stored total (invoicing.totals), not a sum over each invoice's lines.
    queryset = APInvoice.objects.select_related("supplier", "purchase_order").annotate(
        total=F("lines_total")
    )
    columns = [
        Column("Invoice", "number", "pk", value="number"),
        Column(
            "Supplier invoice",
            "supplier_invoice",
            "supplier_invoice_number",
            value="supplier_invoice_number",
        ),
        Column("Supplier", "supplier", "supplier__name", value="supplier.name"),
        Column(
            "Purchase order",
            "purchase_order",
            "purchase_order_id",
            value="purchase_order.number",
        ),
        Column("Invoice date", "invoice_date", "invoice_date", value="invoice_date"),
        Column("Status", "status", "status", value="get_status_display"),
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
        return filter_by(queryset, status=data["status"], supplier=data["supplier"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        url = url_for_each("invoicing:ap_detail")
        context["rows"] = [
            {
                "url": url(invoice.pk),
                "number": invoice.number,
                "supplier_invoice_number": invoice.supplier_invoice_number,
                "supplier": invoice.supplier.name,
                "purchase_order": invoice.purchase_order.number,
                **_invoice_cells(invoice),
            }
            for invoice in context["object_list"]
        ]
        return context

    def text_match(self, text):
        return (
            Q(supplier_invoice_number__iexact=text)
            | number_match(document_number(text, "AP"))
            | number_match(document_number(text, "PO"), "purchase_order_id")
        )


class APInvoiceDetailView(PDFMixin, RoleRequiredMixin, UnitScopedMixin, DetailView):
    """The AP invoice, printable, and as a PDF with ``pdf=True``."""

    permission_required = "invoicing.view_apinvoice"
    template_name = "invoicing/ap_detail.html"
    context_object_name = "invoice"
    queryset = APInvoice.objects.select_related(
        "supplier", "purchase_order", "created_by", "business_unit"
    ).prefetch_related(
        Prefetch(
            "holds",
            queryset=APInvoiceHold.objects.select_related(
                "released_by", "invoice_line__purchase_order_line__purchase_order"
            ),
        ),
    )

    def get_context_data(self, **kwargs):
        invoice, user = self.object, self.request.user
        may_release = user.has_perm("invoicing.release_hold")
        # Cancel and adjust: every open hold has an action that resolves it.
        may_correct = user.has_perm("invoicing.change_apinvoice") and can_proceed(invoice.cancel)
        for hold in invoice.holds.all():
            is_open = hold.released_at is None
            hold.clears_by_validation = is_open and not hold.can_be_released_by_hand()
            hold.may_release = may_release and is_open and hold.can_be_released_by_hand()
            hold.may_resolve = may_correct and is_open
            hold.can_still_be_received = hold.invoice_line_id and (
                hold.invoice_line.purchase_order_line.status == POLineStatus.OPEN
            )
        rows = APLineRows(user, may_correct=may_correct)
        # The PDF shows every line, the page a page of them (b2b_portal.document_lines):
        # paged as models (the count joins nothing), read as values.
        if self.pdf:
            line_page = rows.of(invoice.lines.values(*AP_LINE_FIELDS))
        else:
            line_page = paged(self.request, invoice.lines.all())
            line_page.object_list = rows.of(line_page.object_list.values(*AP_LINE_FIELDS))
        return super().get_context_data(
            line_page=line_page,
            tax=tax_of_lines(invoice.lines.all()),
            may_validate=user.has_perm("invoicing.validate_apinvoice")
            and can_proceed(invoice.validate),
            may_pay=user.has_perm("invoicing.pay_apinvoice") and can_proceed(invoice.pay),
            may_correct=may_correct,
            release_form=HoldReleaseForm() if may_release else None,
            history=_with_line_history(invoice).page(self.request),
            **kwargs,
        )


# What the AP invoice page shows of a line, read as values: no model per line, PO line,
# item, order line and order (issue 13: 500-line invoices).
AP_LINE_FIELDS = (
    "pk",
    "quantity",
    "unit_price",
    "purchase_order_line__line_number",
    "purchase_order_line__purchase_order_id",
    "purchase_order_line__unit_price",
    "purchase_order_line__item__number",
    "purchase_order_line__sales_order_line_id",
    "purchase_order_line__sales_order_line__line_number",
    "purchase_order_line__sales_order_line__order_id",
)


@dataclass(frozen=True, slots=True)
class APLineRow:
    """A line of the AP invoice page as it shows: every cell formatted, every link made."""

    pk: int
    po_line: str
    item_number: str
    quantity: str
    unit_price: str
    po_price: str
    amount: str
    peg: str
    adjust_url: str | None


class APLineRows:
    """The AP invoice page's line rows of one request, every cell formatted: the URLs
    reversed once and the permission read once, not per line."""

    def __init__(self, user, *, may_correct: bool):
        self.pegs = PegLinks(user)
        self.adjust_url = url_for_each("invoicing:ap_line_adjust") if may_correct else None

    def of(self, lines) -> list[APLineRow]:
        return [self.row(line) for line in lines]

    def row(self, line: dict) -> APLineRow:
        pk, quantity, unit_price = line["pk"], line["quantity"], line["unit_price"]
        po_number = PurchaseOrder.number_of(line["purchase_order_line__purchase_order_id"])
        return APLineRow(
            pk=pk,
            po_line=f"{po_number} line {line['purchase_order_line__line_number']}",
            item_number=line["purchase_order_line__item__number"],
            quantity=format_quantity(quantity),
            unit_price=format_money(unit_price),
            po_price=format_money(line["purchase_order_line__unit_price"]),
            amount=format_money(round_money(quantity * unit_price)),
            peg=self.pegs.cell(
                line["purchase_order_line__sales_order_line_id"],
                line["purchase_order_line__sales_order_line__line_number"],
                line["purchase_order_line__sales_order_line__order_id"],
            ),
            adjust_url=self.adjust_url and self.adjust_url(pk),
        )


# The historical models' own managers: ``APInvoice.history`` makes a manager class on every
# access (simple_history's ``from_queryset``, about a millisecond each).
HISTORICAL_AP = APInvoice.history.model
HISTORICAL_AP_LINE = APInvoiceLine.history.model


def _with_line_history(invoice: APInvoice) -> DocumentHistory:
    """The invoice's history and its lines' (an adjustment says what it was and why), newest
    first as on the PO page: a page of it reads only the rows it shows, not all of a
    500-line invoice's. An AP line is known by its PO line's number."""
    line_records = HISTORICAL_AP_LINE.objects.filter(invoice_id=invoice.pk).annotate(
        line_number=F("purchase_order_line__line_number")
    )
    return DocumentHistory("Invoice", HISTORICAL_AP.objects.filter(id=invoice.pk), line_records)


class APInvoiceValidateView(ServiceActionView):
    """Validate: match the invoice to its PO and receipts; holds say what is wrong."""

    model = APInvoice
    permission_required = "invoicing.validate_apinvoice"

    def perform(self, invoice):
        return ap_invoice_validate(actor=self.request.user, invoice=invoice)

    def get_success_message(self, invoice):
        return f"{invoice} is {invoice.get_status_display()}."

    def success_level(self, invoice):
        return messages.WARNING if invoice.status == APStatus.ON_HOLD else messages.SUCCESS


class APInvoicePayView(ServiceActionView):
    model = APInvoice
    permission_required = "invoicing.pay_apinvoice"
    success_message = "{obj} is paid."

    def perform(self, invoice):
        return ap_invoice_pay(actor=self.request.user, invoice=invoice)


class HoldReleaseView(RoleRequiredMixin, UnitScopedMixin, FormView):
    """Release a hold by hand, saying why; the invoice is then matched again."""

    permission_required = "invoicing.release_hold"
    business_unit_path = "invoice__business_unit"
    form_class = HoldReleaseForm
    template_name = "invoicing/hold_release.html"

    @cached_property
    def hold(self):
        holds = APInvoiceHold.objects.select_related(
            "invoice__supplier", "released_by", "invoice_line__purchase_order_line__purchase_order"
        )
        return get_object_or_404(self.scope(holds), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(hold=self.hold, **kwargs)

    def form_valid(self, form):
        try:
            ap_invoice_hold_release(
                actor=self.request.user, hold=self.hold, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"The hold on {self.hold.invoice} is released.")
        return redirect(self.hold.invoice)


# --- Receivables --------------------------------------------------------------------------


class ARInvoiceListView(RoleRequiredMixin, UnitScopedMixin, SearchableListMixin, ListView):
    permission_required = "invoicing.view_arinvoice"
    template_name = "invoicing/ar_list.html"
    export_name = "ar-invoices"
    search_form_class = ARInvoiceSearchForm
    queryset = ARInvoice.objects.select_related("customer", "sales_order").annotate(
        total=invoice_total(ARInvoiceLine)
    )
    columns = [
        Column("Select", hidden=True),  # Complete selected's checkbox, on Draft rows
        Column("Invoice", "number", "pk", value="number"),
        Column("Customer", "customer", "customer__name", value="customer.name"),
        Column("Sales order", "sales_order", "sales_order_id", value="sales_order.number"),
        Column("Invoice date", "invoice_date", "invoice_date", value="invoice_date"),
        Column("Status", "status", "status", value="get_status_display"),
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
        return filter_by(queryset, status=data["status"], customer=data["customer"])

    def text_match(self, text):
        return (
            Q(customer__name__icontains=text)
            | number_match(document_number(text, "AR"))
            | number_match(sales_order_number(text), "sales_order_id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invoices = context["object_list"]
        drafts_shown = any(row.status == ARStatus.DRAFT for row in invoices)
        selectable = drafts_shown and self.request.user.has_perm(COMPLETE_AR)
        if selectable:
            # Complete selected: a checkbox on each Draft row, a fresh once-only token.
            context["selection"] = ARInvoiceSelectionForm(invoices=ARInvoice.objects.none())
        url = url_for_each("invoicing:ar_detail")
        context["rows"] = [
            {
                "pk": invoice.pk,
                "selectable": selectable and invoice.status == ARStatus.DRAFT,
                "url": url(invoice.pk),
                "number": invoice.number,
                "customer": invoice.customer.name,
                "sales_order": invoice.sales_order.number,
                **_invoice_cells(invoice),
            }
            for invoice in invoices
        ]
        return context


class ARInvoicesCompleteView(RoleRequiredMixin, UnitScopedMixin, OnceOnlyFormMixin, FormView):
    """Complete selected, from the AR Invoices list: the ticked drafts together, all or
    nothing (``ar_invoices_complete``); back to the list as it was filtered."""

    permission_required = COMPLETE_AR
    form_class = ARInvoiceSelectionForm
    http_method_names = ["post"]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "invoices": self.scope(ARInvoice.objects.all())}

    def form_valid_once(self, form):
        completed = ar_invoices_complete(
            actor=self.request.user, invoices=form.cleaned_data["invoices"]
        )
        noun = "invoice" if len(completed) == 1 else "invoices"
        messages.success(self.request, f"{len(completed)} {noun} completed.")
        return self.back_to_the_list()

    def form_invalid(self, form):
        for errors in form.errors.values():
            for error in errors:
                messages.error(self.request, error)
        return self.back_to_the_list()

    def back_to_the_list(self):
        query = self.request.GET.urlencode()
        return redirect(f"{reverse('invoicing:ar_list')}{'?' + query if query else ''}")


class ARInvoiceDetailView(PDFMixin, RoleRequiredMixin, UnitScopedMixin, DetailView):
    """The AR invoice (``ar_detail``) and its printable copy for the customer (``ar_print``,
    and ``ar_pdf``)."""

    permission_required = "invoicing.view_arinvoice"
    template_name = "invoicing/ar_detail.html"
    context_object_name = "invoice"
    queryset = ARInvoice.objects.select_related(
        "customer", "sales_order", "business_unit", "completed_by"
    ).prefetch_related(
        Prefetch(
            "credit_memos",
            queryset=ARCreditMemo.objects.select_related("created_by").prefetch_related("lines"),
        ),
    )
    lines = ARInvoiceLine.objects.select_related(
        "sales_order_line__order", "sales_order_line__item", "shipment_line__shipment"
    )

    def is_printed(self) -> bool:
        """The customer's copy (print, PDF) shows every line; the page a page of them."""
        return self.pdf or self.template_name != ARInvoiceDetailView.template_name

    def get_queryset(self):
        invoices = super().get_queryset()
        if self.is_printed():
            return invoices.prefetch_related(Prefetch("lines", queryset=self.lines))
        return invoices

    def get_context_data(self, **kwargs):
        invoice, user = self.object, self.request.user
        may_complete = user.has_perm(COMPLETE_AR) and can_proceed(invoice.complete)
        may_correct = user.has_perm("invoicing.change_arinvoice")
        if not self.is_printed():
            lines = ARInvoiceLine.objects.filter(invoice=invoice)
            # Paged as models (the count joins nothing), read as values.
            line_page = paged(self.request, lines)
            rows = ARLineRows(user)
            line_page.object_list = [
                rows.row(line) for line in line_page.object_list.values(*AR_LINE_FIELDS)
            ]
            kwargs.update(line_page=line_page, tax=tax_of_lines(lines))
        return super().get_context_data(
            may_complete=may_complete,
            may_cancel=may_correct and can_proceed(invoice.cancel),
            may_credit=may_correct and invoice.status == ARStatus.COMPLETE,
            **kwargs,
        )


# What the AR invoice page shows of a line, read as values: no model per line, order line,
# order, item and shipment (issue 13: 500-line invoices).
AR_LINE_FIELDS = (
    "pk",
    "quantity",
    "unit_price",
    "shipment_line__shipment_id",
    "sales_order_line_id",
    "sales_order_line__line_number",
    "sales_order_line__order_id",
    "sales_order_line__item__number",
    "sales_order_line__item__description",
    "sales_order_line__status",
)
SO_LINE_STATUS_LABELS = dict(LineStatus.choices)


@dataclass(frozen=True, slots=True)
class ARLineRow:
    """A line of the AR invoice page as it shows: every cell formatted, every link made
    (None: the user may not view what it leads to)."""

    pk: int
    so_line: str
    order_url: str | None
    item_number: str
    item_description: str
    shipment: str
    shipment_url: str | None
    quantity: str
    unit_price: str
    amount: str
    status: str
    trace_url: str | None


class ARLineRows:
    """The AR invoice page's line rows of one request: the URLs reversed once and the
    permissions read once, not per line."""

    def __init__(self, user):
        def url_if(permission, name):
            return url_for_each(name) if user.has_perm(permission) else None

        self.order_url = url_if("orders.view_salesorder", "orders:detail")
        self.shipment_url = url_if("shipping.view_shipment", "shipping:shipment_detail")
        self.trace_url = url_if("orders.view_salesorderline", "orchestration:peg_trace")

    def row(self, line: dict) -> ARLineRow:
        quantity, unit_price = line["quantity"], line["unit_price"]
        order_id = line["sales_order_line__order_id"]
        shipment_id = line["shipment_line__shipment_id"]
        so_line_id, line_number = line["sales_order_line_id"], line["sales_order_line__line_number"]
        return ARLineRow(
            pk=line["pk"],
            so_line=f"{SalesOrder.number_of(order_id)} line {line_number}",
            order_url=self.order_url and self.order_url(order_id),
            item_number=line["sales_order_line__item__number"],
            item_description=line["sales_order_line__item__description"],
            shipment=Shipment.number_of(shipment_id),
            shipment_url=self.shipment_url and self.shipment_url(shipment_id),
            quantity=format_quantity(quantity),
            unit_price=format_money(unit_price),
            amount=format_money(round_money(quantity * unit_price)),
            status=SO_LINE_STATUS_LABELS[line["sales_order_line__status"]],
            trace_url=self.trace_url and self.trace_url(so_line_id),
        )


class ARInvoiceCompleteView(ServiceActionView):
    """Complete: the customer's invoice is final and its sales order lines close."""

    model = ARInvoice
    permission_required = COMPLETE_AR
    success_message = "{obj} is complete; its order lines are closed."

    def perform(self, invoice):
        return ar_invoice_complete(actor=self.request.user, invoice=invoice)
