"""Invoice corrections: cancel or adjust an AP invoice (and resolve a quantity hold by
adjusting to what was received), AP debit memos, cancel a draft AR invoice, AR credit
memos with their printable copy. Each page binds its form, calls one service, turns a
refusal into a form error and redirects."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.views.generic import DetailView, FormView

from b2b_portal.errors import ApplicationError
from b2b_portal.pdf import PDFMixin
from b2b_portal.web import OnceOnlyFormMixin, RoleRequiredMixin, UnitScopedMixin

from .correction_forms import (
    AdjustToReceivedForm,
    APLineAdjustForm,
    CancelInvoiceForm,
    CreditMemoForm,
    DebitMemoForm,
)
from .models import (
    APDebitMemo,
    APInvoice,
    APInvoiceHold,
    APInvoiceLine,
    ARCreditMemo,
    ARCreditMemoLine,
    ARInvoice,
)
from .services import (
    CreditLineInput,
    ap_debit_memo_create,
    ap_invoice_adjust_to_received,
    ap_invoice_cancel,
    ap_invoice_line_adjust,
    ar_credit_memo_create,
    ar_invoice_cancel,
    whole_invoice_credit,
)


class CorrectionView(RoleRequiredMixin, UnitScopedMixin, FormView):
    """A form about one scoped document (``target``): GET shows it, POST runs ``perform``;
    a refusal comes back on the form, success goes to ``invoice`` with a message."""

    template_name = "invoicing/correction.html"
    model = None
    title = ""
    button = ""
    success_message = ""

    @cached_property
    def target(self):
        return get_object_or_404(
            self.scope(self.model._default_manager.all()), pk=self.kwargs["pk"]
        )

    def invoice_of(self, target):
        return target

    def get_context_data(self, **kwargs):
        invoice = self.invoice_of(self.target)
        return super().get_context_data(
            target=self.target, invoice=invoice, title=self.title, button=self.button, **kwargs
        )

    def form_valid(self, form):
        try:
            result = self.perform(form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, self.success_text(result))
        return redirect(result)

    def success_text(self, result) -> str:
        return self.success_message.format(obj=result, status=result.get_status_display())

    def perform(self, data):
        raise NotImplementedError


class APInvoiceCancelView(CorrectionView):
    permission_required = "invoicing.change_apinvoice"
    model = APInvoice
    form_class = CancelInvoiceForm
    title, button = "Cancel AP Invoice", "Cancel Invoice"
    success_message = "{obj} is cancelled; its holds are released."

    def perform(self, data):
        return ap_invoice_cancel(
            actor=self.request.user, invoice=self.target, reason=data["reason"]
        )


class APLineAdjustView(CorrectionView):
    permission_required = "invoicing.change_apinvoice"
    business_unit_path = "invoice__business_unit"
    model = APInvoiceLine
    form_class = APLineAdjustForm
    title, button = "Adjust AP Invoice Line", "Adjust and Validate"
    success_message = "The line is adjusted; {obj} is {status}."

    def invoice_of(self, target):
        return target.invoice

    def get_initial(self):
        return {"quantity": self.target.quantity, "unit_price": self.target.unit_price}

    def perform(self, data):
        return ap_invoice_line_adjust(
            actor=self.request.user,
            line=self.target,
            quantity=data["quantity"],
            unit_price=data["unit_price"],
            reason=data["reason"],
        )


class HoldAdjustToReceivedView(CorrectionView):
    """The way out of a quantity hold whose goods will never come: bill what arrived."""

    permission_required = "invoicing.change_apinvoice"
    business_unit_path = "invoice__business_unit"
    model = APInvoiceHold
    form_class = AdjustToReceivedForm
    title, button = "Adjust to Received", "Adjust to Received and Validate"
    success_message = "The line is billed at what was received; {obj} is {status}."

    def invoice_of(self, target):
        return target.invoice

    def perform(self, data):
        return ap_invoice_adjust_to_received(
            actor=self.request.user, hold=self.target, reason=data["reason"]
        )


class ARInvoiceCancelView(CorrectionView):
    permission_required = "invoicing.change_arinvoice"
    model = ARInvoice
    form_class = CancelInvoiceForm
    title, button = "Cancel AR Invoice", "Cancel Invoice"
    success_message = "{obj} is cancelled; the next Import AutoInvoice bills its lines again."

    def perform(self, data):
        return ar_invoice_cancel(
            actor=self.request.user, invoice=self.target, reason=data["reason"]
        )


class CreditMemoCreateView(RoleRequiredMixin, UnitScopedMixin, OnceOnlyFormMixin, FormView):
    """Credit a complete invoice: per line a quantity and/or an amount, and whether the
    credited quantity is invoiced again or the line stays closed."""

    permission_required = "invoicing.change_arinvoice"
    form_class = CreditMemoForm
    template_name = "invoicing/credit_memo_create.html"

    @cached_property
    def invoice(self):
        invoices = ARInvoice.objects.select_related("customer", "sales_order")
        return get_object_or_404(self.scope(invoices), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        lines = self.invoice.lines.filter(is_cancelled=False).select_related(
            "sales_order_line__order", "sales_order_line__item"
        )
        return {**super().get_form_kwargs(), "invoice_lines": list(lines)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(invoice=self.invoice, **kwargs)

    def form_valid_once(self, form):
        data = form.cleaned_data
        if data["whole"]:
            lines = whole_invoice_credit(self.invoice, data["whole_disposition"])
        else:
            lines = [
                CreditLineInput(
                    invoice_line=line,
                    quantity=data[f"quantity_{line.pk}"] or 0,
                    amount=data[f"amount_{line.pk}"],
                    disposition=data[f"disposition_{line.pk}"],
                )
                for line in form.invoice_lines
                if data[f"quantity_{line.pk}"] or data[f"amount_{line.pk}"]
            ]
        memo = ar_credit_memo_create(
            actor=self.request.user, invoice=self.invoice, lines=lines, reason=data["reason"]
        )
        messages.success(self.request, f"{memo} credits {self.invoice}: {memo.total_amount}.")
        return redirect(memo)


class MemoDetailView(RoleRequiredMixin, UnitScopedMixin, DetailView):
    """A memo's page: the memo and who issued it and why (its history)."""

    context_object_name = "memo"

    def get_context_data(self, **kwargs):
        history = self.object.history.select_related("history_user").order_by("history_date")
        return super().get_context_data(history=history, **kwargs)


class CreditMemoDetailView(PDFMixin, MemoDetailView):
    """The credit memo (``credit_memo_detail``) and its printable copy (``credit_memo_print``,
    and ``credit_memo_pdf``)."""

    permission_required = "invoicing.view_arinvoice"
    template_name = "invoicing/credit_memo_detail.html"
    queryset = ARCreditMemo.objects.select_related(
        "invoice", "customer", "business_unit", "created_by"
    ).prefetch_related(
        Prefetch(
            "lines",
            queryset=ARCreditMemoLine.objects.select_related(
                "invoice_line__sales_order_line__order", "invoice_line__sales_order_line__item"
            ),
        )
    )


class DebitMemoCreateView(RoleRequiredMixin, OnceOnlyFormMixin, FormView):
    permission_required = "invoicing.change_apinvoice"
    form_class = DebitMemoForm
    template_name = "invoicing/debit_memo_create.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid_once(self, form):
        data = form.cleaned_data
        memo = ap_debit_memo_create(
            actor=self.request.user,
            business_unit=data["business_unit"],
            supplier=data["supplier"],
            purchase_order=data["purchase_order"],
            kind=data["kind"],
            amount=data["amount"],
            reason=data["reason"],
        )
        messages.success(self.request, f"{memo} is entered: {memo.supplier} owes {memo.amount}.")
        return redirect(memo)


class DebitMemoDetailView(MemoDetailView):
    permission_required = "invoicing.view_apinvoice"
    template_name = "invoicing/debit_memo_detail.html"
    queryset = APDebitMemo.objects.select_related(
        "supplier", "purchase_order", "business_unit", "created_by"
    )
