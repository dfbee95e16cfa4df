"""Payables and Receivables. AP invoices are entered through ``ap_invoice_create`` (the add
page) and validated, released and paid by actions; AR invoices are made by Import
AutoInvoice and completed by an action."""

from django import forms
from django.contrib import admin

from b2b_portal.admin_actions import (
    DocumentAdmin,
    EntryLineInline,
    ProcessButton,
    ProcessRunsMixin,
    ReadOnlyInline,
    entered_lines,
    holds_permission,
    service_action,
    service_action_with_reason,
)

from .models import (
    APDebitMemo,
    APInvoice,
    APInvoiceHold,
    APInvoiceLine,
    ARCreditMemo,
    ARCreditMemoLine,
    ARInvoice,
    ARInvoiceLine,
)
from .services import (
    APLineInput,
    ap_invoice_adjust_to_received,
    ap_invoice_cancel,
    ap_invoice_create,
    ap_invoice_hold_release,
    ap_invoice_pay,
    ap_invoice_validate,
    ar_invoice_cancel,
    ar_invoice_complete,
)

# --- Payables --------------------------------------------------------------------------


class APInvoiceLineEntryForm(forms.ModelForm):
    unit_price = forms.DecimalField(
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text="Leave blank for the PO price.",
    )


class APInvoiceLineInline(EntryLineInline):
    model = APInvoiceLine
    entry_fields = ("purchase_order_line", "quantity", "unit_price")
    entry_form = APInvoiceLineEntryForm
    fields = ("purchase_order_line", "quantity", "unit_price", "amount")
    readonly_fields = ("amount",)
    autocomplete_fields = ("purchase_order_line",)
    select_related = ("invoice", "purchase_order_line__purchase_order")

    @admin.display(description="amount")
    def amount(self, obj):
        return obj.amount


class APInvoiceHoldInline(ReadOnlyInline):
    model = APInvoiceHold
    fields = ("reason", "message", "released_at", "released_by", "release_reason")
    select_related = ("released_by",)


@admin.register(APInvoice)
class APInvoiceAdmin(ProcessRunsMixin, DocumentAdmin):
    list_display = (
        "number",
        "business_unit",
        "supplier",
        "supplier_invoice_number",
        "purchase_order",
        "invoice_date",
        "currency_code",
        "status",
        "validated_at",
        "paid_at",
    )
    list_filter = ("status", "business_unit", "invoice_date", "validated_at", "paid_at")
    list_select_related = ("business_unit", "supplier", "purchase_order")
    search_fields = ("supplier_invoice_number", "supplier__number", "supplier__name")
    number_search = {"PO": "purchase_order_id"}
    readonly_fields = ("total_amount",)
    autocomplete_fields = ("purchase_order",)
    inlines = (APInvoiceLineInline, APInvoiceHoldInline)
    add_fields = ("purchase_order", "supplier_invoice_number", "invoice_date")
    actions = ("validate_invoices", "pay_invoices", "cancel_invoices")
    process_buttons = (ProcessButton("validate_ap_invoices"),)

    def create_with_service(self, request, form, formsets):
        header = form.cleaned_data
        return ap_invoice_create(
            actor=request.user,
            purchase_order=header["purchase_order"],
            supplier_invoice_number=header["supplier_invoice_number"],
            invoice_date=header["invoice_date"],
            lines=[
                APLineInput(
                    purchase_order_line=line["purchase_order_line"],
                    quantity=line["quantity"],
                    unit_price=line.get("unit_price"),
                )
                for line in entered_lines(formsets[0])
            ],
        )

    has_validate_permission = holds_permission("invoicing.validate_apinvoice")
    has_pay_permission = holds_permission("invoicing.pay_apinvoice")

    # Validation may end in On Hold: that is a result, not a refusal; the count says so.
    validate_invoices = service_action(
        ap_invoice_validate,
        "invoice",
        description="Validate selected invoices",
        permission="validate",
        done="Validated {count} {objects} (any on hold now show their holds).",
        noun="AP invoice",
    )
    pay_invoices = service_action(
        ap_invoice_pay,
        "invoice",
        description="Pay selected invoices",
        permission="pay",
        done="Recorded payment of {count} {objects}.",
        noun="AP invoice",
    )
    has_correct_permission = holds_permission("invoicing.change_apinvoice")
    cancel_invoices = service_action_with_reason(
        ap_invoice_cancel,
        "invoice",
        description="Cancel selected invoices…",
        permission="correct",
        title="Cancel AP invoices",
        done="Cancelled {count} {objects}; their holds are released.",
        noun="AP invoice",
        help_text="Only a Draft or On Hold invoice; kept in its history.",
    )


@admin.register(APInvoiceLine)
class APInvoiceLineAdmin(DocumentAdmin):
    list_display = ("__str__", "purchase_order_line", "quantity", "unit_price", "created_at")
    list_filter = ("invoice__status", "invoice__business_unit", "created_at")
    list_select_related = ("invoice", "purchase_order_line__purchase_order")
    search_fields = ("invoice__supplier_invoice_number", "purchase_order_line__item__number")
    business_unit_path = "invoice__business_unit"
    number_search = {"AP": "invoice_id", "PO": "purchase_order_line__purchase_order_id"}


@admin.register(APInvoiceHold)
class APInvoiceHoldAdmin(DocumentAdmin):
    list_display = (
        "__str__",
        "invoice_line",
        "reason",
        "message",
        "created_at",
        "released_at",
        "released_by",
        "release_reason",
    )
    list_filter = ("reason", "released_at", "invoice__business_unit", "created_at")
    list_select_related = ("invoice", "invoice_line__invoice", "released_by")
    search_fields = ("message", "invoice__supplier_invoice_number", "invoice__supplier__name")
    business_unit_path = "invoice__business_unit"
    number_search = {"AP": "invoice_id"}
    actions = ("release_holds", "adjust_to_received")

    has_release_permission = holds_permission("invoicing.release_hold")
    release_holds = service_action_with_reason(
        ap_invoice_hold_release,
        "hold",
        description="Release selected holds…",
        permission="release",
        title="Release AP invoice holds",
        done="Released {count} {objects}.",
        noun="AP invoice hold",
        help_text="Kept on the hold and in its history. Quantity holds cannot be "
        "released by hand: receive the goods and validate again.",
    )
    has_correct_permission = holds_permission("invoicing.change_apinvoice")
    adjust_to_received = service_action_with_reason(
        ap_invoice_adjust_to_received,
        "hold",
        description="Adjust held lines to what was received…",
        permission="correct",
        title="Adjust quantity holds to what was received",
        done="Adjusted {count} {objects}; their invoices were validated again.",
        noun="AP invoice hold",
        help_text="For a quantity hold whose goods will never come; kept in the line's history.",
    )


# --- Receivables -----------------------------------------------------------------------


class ARInvoiceLineInline(ReadOnlyInline):
    model = ARInvoiceLine
    fields = ("sales_order_line", "shipment_line", "quantity", "unit_price", "amount")
    readonly_fields = ("amount",)
    select_related = (
        "invoice",
        "sales_order_line__order",
        "shipment_line__shipment",
        "shipment_line__sales_order_line__order",
    )

    @admin.display(description="amount")
    def amount(self, obj):
        return obj.amount


@admin.register(ARInvoice)
class ARInvoiceAdmin(ProcessRunsMixin, DocumentAdmin):
    list_display = (
        "number",
        "business_unit",
        "customer",
        "sales_order",
        "invoice_date",
        "currency_code",
        "status",
        "completed_by",
        "completed_at",
    )
    list_filter = ("status", "business_unit", "invoice_date", "completed_at")
    list_select_related = ("business_unit", "customer", "sales_order", "completed_by")
    search_fields = ("customer__number", "customer__name")
    number_search = {"SO": "sales_order_id"}
    readonly_fields = ("total_amount",)
    inlines = (ARInvoiceLineInline,)
    actions = ("complete_invoices", "cancel_invoices")
    process_buttons = (ProcessButton("autoinvoice_import"),)

    has_complete_permission = holds_permission("invoicing.complete_arinvoice")
    complete_invoices = service_action(
        ar_invoice_complete,
        "invoice",
        description="Complete selected invoices",
        permission="complete",
        done="Completed {count} {objects}; their order lines are closed.",
        noun="AR invoice",
    )
    has_correct_permission = holds_permission("invoicing.change_arinvoice")
    cancel_invoices = service_action_with_reason(
        ar_invoice_cancel,
        "invoice",
        description="Cancel selected draft invoices…",
        permission="correct",
        title="Cancel draft AR invoices",
        done="Cancelled {count} {objects}; the next Import AutoInvoice bills their lines again.",
        noun="AR invoice",
        help_text="Only a Draft invoice; a complete one is credited from its page.",
    )


@admin.register(ARInvoiceLine)
class ARInvoiceLineAdmin(DocumentAdmin):
    list_display = ("__str__", "sales_order_line", "shipment_line", "quantity", "unit_price")
    list_filter = ("invoice__status", "invoice__business_unit", "created_at")
    list_select_related = (
        "invoice",
        "sales_order_line__order",
        "shipment_line__shipment",
        "shipment_line__sales_order_line__order",
    )
    search_fields = ("sales_order_line__item__number",)
    business_unit_path = "invoice__business_unit"
    number_search = {"AR": "invoice_id", "SO": "sales_order_line__order_id"}


# --- Corrections ------------------------------------------------------------------------
# Credit and debit memos are made on their pages (``ar_credit_memo_create``,
# ``ap_debit_memo_create``); the admin shows them.


class ARCreditMemoLineInline(ReadOnlyInline):
    model = ARCreditMemoLine
    fields = ("invoice_line", "quantity", "amount", "disposition")
    select_related = ("memo", "invoice_line__invoice")


@admin.register(ARCreditMemo)
class ARCreditMemoAdmin(DocumentAdmin):
    list_display = ("number", "business_unit", "customer", "invoice", "memo_date", "reason")
    list_filter = ("business_unit", "memo_date")
    list_select_related = ("business_unit", "customer", "invoice")
    search_fields = ("customer__number", "customer__name", "reason")
    number_search = {"AR": "invoice_id"}
    inlines = (ARCreditMemoLineInline,)


@admin.register(ARCreditMemoLine)
class ARCreditMemoLineAdmin(DocumentAdmin):
    list_display = ("__str__", "invoice_line", "quantity", "amount", "disposition")
    list_filter = ("disposition", "memo__business_unit", "created_at")
    list_select_related = ("memo", "invoice_line__invoice")
    search_fields = ("memo__reason",)
    business_unit_path = "memo__business_unit"
    number_search = {"AR": "invoice_line__invoice_id"}


@admin.register(APDebitMemo)
class APDebitMemoAdmin(DocumentAdmin):
    list_display = ("number", "business_unit", "supplier", "kind", "amount", "memo_date")
    list_filter = ("kind", "business_unit", "memo_date")
    list_select_related = ("business_unit", "supplier")
    search_fields = ("supplier__number", "supplier__name", "reason")
    number_search = {"PO": "purchase_order_id"}
