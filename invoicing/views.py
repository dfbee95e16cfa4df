"""The AP and AR Accountants' workbenches.

Payables: Create Invoice matched to an approved PO, AP invoices, Validate, Pay, release a
hold. Receivables: AR invoices made by Import AutoInvoice, Complete, the printable invoice.
"""

from django.contrib import messages
from django.db.models import (
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Round
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.views.generic import DetailView, FormView, ListView
from django_fsm import can_proceed

from b2b_portal.errors import ApplicationError
from b2b_portal.web import OnceOnlyFormMixin, RoleRequiredMixin, ServiceActionView, UnitScopedMixin
from processes.batching import filter_by
from procurement.models import POLineStatus, PurchaseOrder
from shipping.forms import document_number
from shipping.views import SortedListMixin

from .forms import (
    APInvoiceFilterForm,
    APInvoiceForm,
    ARInvoiceFilterForm,
    HoldReleaseForm,
    PurchaseOrderSearchForm,
)
from .models import (
    APInvoice,
    APInvoiceHold,
    APInvoiceLine,
    APStatus,
    ARInvoice,
    ARInvoiceLine,
    HoldReason,
)
from .services import (
    INVOICEABLE_PO_STATUSES,
    ap_invoice_create,
    ap_invoice_hold_release,
    ap_invoice_pay,
    ap_invoice_validate,
    ar_invoice_complete,
)

QUANTITY = DecimalField(max_digits=14, decimal_places=3)
MONEY = DecimalField(max_digits=14, decimal_places=2)


def invoice_total(line_model) -> Subquery:
    """Each invoice's total for ``annotate``: the sum of its line amounts, each rounded to
    the cent first like ``round_money`` (PostgreSQL rounds numeric halves up, away from 0)."""
    totals = (
        line_model.objects.filter(invoice=OuterRef("pk"))
        .values("invoice")
        .annotate(total=Sum(Round(F("quantity") * F("unit_price"), 2)))
        .values("total")
    )
    return Subquery(totals, output_field=MONEY)


def filtered_by_status(invoices, data, **lookups):
    return filter_by(invoices, status=data["status"] or None, **lookups)


# --- Payables -----------------------------------------------------------------------------


class PurchaseOrderChoiceView(RoleRequiredMixin, UnitScopedMixin, SortedListMixin, ListView):
    """Create Invoice, step 1: the approved POs of the user's units to invoice against."""

    permission_required = "invoicing.add_apinvoice"
    template_name = "invoicing/ap_create.html"
    columns = [
        ("Purchase order", "number", ""),
        ("Supplier", "supplier", ""),
        ("Status", "status", ""),
        ("Approved", "approved", ""),
        ("Received, not billed", "to_bill", "num"),
        ("", None, ""),
    ]
    sort_fields = {
        "number": "pk",
        "supplier": "supplier__name",
        "status": "status",
        "approved": "approved_at",
        "to_bill": "to_bill",
    }

    def get_queryset(self):
        self.filters = PurchaseOrderSearchForm(self.request.GET or None)
        live = ~Q(lines__status=POLineStatus.CANCELLED)
        orders = (
            self.scope(PurchaseOrder.objects.filter(status__in=INVOICEABLE_PO_STATUSES))
            .select_related("supplier")
            .annotate(
                to_bill=Sum(
                    F("lines__received_quantity") - F("lines__billed_quantity"), filter=live
                )
            )
        )
        text = self.filters.cleaned_data["q"].strip() if self.filters.is_valid() else ""
        if text:
            match = Q(supplier__name__icontains=text) | Q(supplier__number__iexact=text)
            if (number := document_number(text, "PO")) is not None:
                match |= Q(pk=number)
            orders = orders.filter(match)
        return self.sorted(orders)

    def get_context_data(self, **kwargs):
        return super().get_context_data(filters=self.filters, **kwargs)


def lines_to_bill(purchase_order: PurchaseOrder):
    """The PO's live lines, each with ``to_bill``: received, not yet billed, and not on
    another invoice still waiting for validation (Draft or On Hold)."""
    pending = Coalesce(
        Sum(
            "ap_invoice_lines__quantity",
            filter=Q(ap_invoice_lines__invoice__status__in=[APStatus.DRAFT, APStatus.ON_HOLD]),
        ),
        Value(0),
        output_field=QUANTITY,
    )
    return list(
        purchase_order.lines.exclude(status=POLineStatus.CANCELLED)
        .select_related("item", "sales_order_line__order")
        .annotate(pending_quantity=pending)
        .annotate(
            to_bill=Greatest(
                F("received_quantity") - F("billed_quantity") - F("pending_quantity"),
                Value(0),
                output_field=QUANTITY,
            )
        )
        .order_by("line_number")
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


class APInvoiceListView(RoleRequiredMixin, UnitScopedMixin, SortedListMixin, ListView):
    permission_required = "invoicing.view_apinvoice"
    template_name = "invoicing/ap_list.html"
    columns = [
        ("Invoice", "number", ""),
        ("Supplier invoice", "supplier_invoice", ""),
        ("Supplier", "supplier", ""),
        ("Purchase order", "purchase_order", ""),
        ("Invoice date", "invoice_date", ""),
        ("Status", "status", ""),
        ("Total", "total", "num"),
    ]
    sort_fields = {
        "number": "pk",
        "supplier_invoice": "supplier_invoice_number",
        "supplier": "supplier__name",
        "purchase_order": "purchase_order_id",
        "invoice_date": "invoice_date",
        "status": "status",
        "total": "total",
    }

    def get_queryset(self):
        self.filters = APInvoiceFilterForm(self.request.GET or None)
        invoices = (
            self.scope(APInvoice.objects.all())
            .select_related("supplier", "purchase_order")
            .annotate(total=invoice_total(APInvoiceLine))
        )
        if self.filters.is_valid():
            data = self.filters.cleaned_data
            invoices = filtered_by_status(invoices, data, supplier=data["supplier"])
            invoices = self.searched(invoices, data["q"].strip())
        return self.sorted(invoices)

    @staticmethod
    def searched(invoices, text):
        if not text:
            return invoices
        match = Q(supplier_invoice_number__iexact=text)
        if (number := document_number(text, "AP")) is not None:
            match |= Q(pk=number)
        if (number := document_number(text, "PO")) is not None:
            match |= Q(purchase_order_id=number)
        return invoices.filter(match)

    def get_context_data(self, **kwargs):
        return super().get_context_data(filters=self.filters, **kwargs)


class APInvoiceDetailView(RoleRequiredMixin, UnitScopedMixin, DetailView):
    permission_required = "invoicing.view_apinvoice"
    template_name = "invoicing/ap_detail.html"
    context_object_name = "invoice"
    queryset = APInvoice.objects.select_related(
        "supplier", "purchase_order", "created_by"
    ).prefetch_related(
        Prefetch(
            "lines",
            queryset=APInvoiceLine.objects.select_related(
                "purchase_order_line__purchase_order", "purchase_order_line__item"
            ),
        ),
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
        for hold in invoice.holds.all():
            is_open = hold.released_at is None
            # A quantity hold clears only by validation, once the goods are received.
            hold.clears_by_validation = (
                is_open and hold.reason == HoldReason.QUANTITY_BILLED_OVER_RECEIVED
            )
            hold.may_release = may_release and is_open and not hold.clears_by_validation
        return super().get_context_data(
            may_validate=user.has_perm("invoicing.validate_apinvoice")
            and can_proceed(invoice.validate),
            may_pay=user.has_perm("invoicing.pay_apinvoice") and can_proceed(invoice.pay),
            release_form=HoldReleaseForm() if may_release else None,
            history=invoice.history.select_related("history_user").order_by("history_date"),
            **kwargs,
        )


class APInvoiceValidateView(ServiceActionView):
    """Validate: match the invoice to its PO and receipts; holds say what is wrong."""

    model = APInvoice
    permission_required = "invoicing.validate_apinvoice"

    def perform(self, invoice):
        invoice = ap_invoice_validate(actor=self.request.user, invoice=invoice)
        self.success_message = f"{invoice} is {invoice.get_status_display()}."
        return invoice


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


class ARInvoiceListView(RoleRequiredMixin, UnitScopedMixin, SortedListMixin, ListView):
    permission_required = "invoicing.view_arinvoice"
    template_name = "invoicing/ar_list.html"
    columns = [
        ("Invoice", "number", ""),
        ("Customer", "customer", ""),
        ("Sales order", "sales_order", ""),
        ("Invoice date", "invoice_date", ""),
        ("Status", "status", ""),
        ("Total", "total", "num"),
    ]
    sort_fields = {
        "number": "pk",
        "customer": "customer__name",
        "sales_order": "sales_order_id",
        "invoice_date": "invoice_date",
        "status": "status",
        "total": "total",
    }

    def get_queryset(self):
        self.filters = ARInvoiceFilterForm(self.request.GET or None, user=self.request.user)
        invoices = (
            self.scope(ARInvoice.objects.all())
            .select_related("customer", "sales_order")
            .annotate(total=invoice_total(ARInvoiceLine))
        )
        if self.filters.is_valid():
            data = self.filters.cleaned_data
            invoices = filtered_by_status(invoices, data, customer=data["customer"])
            invoices = self.searched(invoices, data["q"].strip())
        return self.sorted(invoices)

    @staticmethod
    def searched(invoices, text):
        if not text:
            return invoices
        match = Q(customer__name__icontains=text)
        if (number := document_number(text, "AR")) is not None:
            match |= Q(pk=number)
        if (number := document_number(text, "SO")) is not None:
            match |= Q(sales_order_id=number)
        return invoices.filter(match)

    def get_context_data(self, **kwargs):
        return super().get_context_data(filters=self.filters, **kwargs)


class ARInvoiceDetailView(RoleRequiredMixin, UnitScopedMixin, DetailView):
    """The AR invoice (``ar_detail``) and its printable copy for the customer (``ar_print``)."""

    permission_required = "invoicing.view_arinvoice"
    template_name = "invoicing/ar_detail.html"
    context_object_name = "invoice"
    queryset = ARInvoice.objects.select_related(
        "customer", "sales_order", "business_unit", "completed_by"
    ).prefetch_related(
        Prefetch(
            "lines",
            queryset=ARInvoiceLine.objects.select_related(
                "sales_order_line__order", "sales_order_line__item", "shipment_line__shipment"
            ),
        )
    )

    def get_context_data(self, **kwargs):
        may_complete = self.request.user.has_perm("invoicing.complete_arinvoice") and can_proceed(
            self.object.complete
        )
        return super().get_context_data(may_complete=may_complete, **kwargs)


class ARInvoiceCompleteView(ServiceActionView):
    """Complete: the customer's invoice is final and its sales order lines close."""

    model = ARInvoice
    permission_required = "invoicing.complete_arinvoice"
    success_message = "{obj} is complete; its order lines are closed."

    def perform(self, invoice):
        return ar_invoice_complete(actor=self.request.user, invoice=invoice)
