"""The supplier portal: a supplier's user lists their supplier's POs, opens one,
acknowledges its lines, sends a ship notice and enters an invoice. Every page asks for
the Supplier role's permission and reads only ``purchase_orders_of(user)``, so another
supplier's PO is a 404, as another unit's document is on the other pages."""

from functools import cached_property

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, FormView, ListView

from b2b_portal.web import OnceOnlyFormMixin, RoleRequiredMixin
from procurement.models import POLineStatus, POStatus, PurchaseOrderLine

from .forms import AcknowledgeForm, ShipNoticeForm, SupplierInvoiceForm
from .models import ShipNotice, SupplierPurchaseOrder
from .selectors import (
    in_transit,
    lines_for_supplier,
    purchase_orders_of,
    supplier_of,
    with_acknowledgements,
)
from .services import (
    line_acknowledge,
    ship_notice_create,
    supplier_invoice_create,
)

PERMISSION = "suppliers.collaborate_supplier"


class SupplierScopedMixin(RoleRequiredMixin):
    permission_required = PERMISSION

    def purchase_orders(self):
        return purchase_orders_of(self.request.user, SupplierPurchaseOrder).select_related(
            "business_unit", "ship_to_warehouse", "supplier"
        )


class PurchaseOrderListView(SupplierScopedMixin, ListView):
    """The supplier's approved POs, newest first, in every unit that buys from it."""

    template_name = "suppliers/po_list.html"
    context_object_name = "purchase_orders"
    paginate_by = 25

    def get_queryset(self):
        return self.purchase_orders().prefetch_related("lines").order_by("-pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(supplier=supplier_of(self.request.user), **kwargs)


class PurchaseOrderMixin(SupplierScopedMixin):
    """One of the supplier's POs (404 for any other) and its lines as the pages show them."""

    model = SupplierPurchaseOrder

    @cached_property
    def purchase_order(self) -> SupplierPurchaseOrder:
        return get_object_or_404(self.purchase_orders(), pk=self.kwargs["pk"])

    def open_lines(self) -> list[PurchaseOrderLine]:
        if self.purchase_order.status != POStatus.OPEN:
            return []
        return list(
            self.purchase_order.lines.filter(status=POLineStatus.OPEN).select_related("item")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(purchase_order=self.purchase_order, **kwargs)


class PurchaseOrderDetailView(PurchaseOrderMixin, DetailView):
    template_name = "suppliers/po_detail.html"
    context_object_name = "purchase_order"

    def get_object(self, queryset=None):
        return self.purchase_order

    def get_context_data(self, **kwargs):
        lines = lines_for_supplier(list(with_acknowledgements(self.purchase_order.lines.all())))
        return super().get_context_data(
            lines=lines,
            is_open=self.purchase_order.status == POStatus.OPEN,
            ship_notices=self.purchase_order.ship_notices.prefetch_related("lines"),
            invoices=self.purchase_order.supplier_invoices.select_related(
                "ap_invoice"
            ).prefetch_related("ap_invoice__lines"),
            **kwargs,
        )


class LineAcknowledgeView(PurchaseOrderMixin, OnceOnlyFormMixin, FormView):
    """Accept, accept for a new date, backorder part for a date, or reject one line."""

    template_name = "suppliers/acknowledge.html"
    form_class = AcknowledgeForm

    @cached_property
    def po_line(self) -> PurchaseOrderLine:
        lines = self.purchase_order.lines.select_related("item")
        return get_object_or_404(lines, pk=self.kwargs["po_line"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(po_line=self.po_line, **kwargs)

    def form_valid_once(self, form):
        data = form.cleaned_data
        acknowledgement = line_acknowledge(
            actor=self.request.user,
            purchase_order_line=self.po_line,
            kind=data["kind"],
            promised_date=data["promised_date"],
            backordered_quantity=data["backordered_quantity"],
            reason=data["reason"],
        )
        messages.success(self.request, f"{acknowledgement} is sent to the buyer.")
        return redirect(self.purchase_order)


class LinesFormMixin(PurchaseOrderMixin, OnceOnlyFormMixin):
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "po_lines": self.open_lines()}


class ShipNoticeCreateView(LinesFormMixin, FormView):
    """What was shipped on each open line, when it arrives and how to track it."""

    template_name = "suppliers/ship_notice_form.html"
    form_class = ShipNoticeForm

    def get_context_data(self, **kwargs):
        on_the_way = in_transit(self.open_lines())
        return super().get_context_data(in_transit=on_the_way, **kwargs)

    def form_valid_once(self, form):
        data = form.cleaned_data
        ship_notice = ship_notice_create(
            actor=self.request.user,
            purchase_order=self.purchase_order,
            ship_date=data["ship_date"],
            expected_arrival=data["expected_arrival"],
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            lines=form.lines(),
        )
        messages.success(
            self.request, f"{ship_notice} is sent to {self.purchase_order.business_unit.code}."
        )
        return redirect(ship_notice)


class SupplierInvoiceCreateView(LinesFormMixin, FormView):
    """The supplier's invoice on its PO: a draft AP invoice for the buyer's AP team."""

    template_name = "suppliers/invoice_form.html"
    form_class = SupplierInvoiceForm

    def open_lines(self) -> list[PurchaseOrderLine]:
        """Every live line may be billed (received or not: AP validation matches)."""
        return list(
            self.purchase_order.lines.exclude(status=POLineStatus.CANCELLED).select_related("item")
        )

    def form_valid_once(self, form):
        data = form.cleaned_data
        entry = supplier_invoice_create(
            actor=self.request.user,
            purchase_order=self.purchase_order,
            supplier_invoice_number=data["supplier_invoice_number"],
            invoice_date=data["invoice_date"],
            lines=form.lines(),
        )
        messages.success(
            self.request, f"Invoice {entry} is entered; the buyer's AP team validates it."
        )
        return redirect(self.purchase_order)


class ShipNoticeDetailView(SupplierScopedMixin, DetailView):
    template_name = "suppliers/ship_notice.html"
    context_object_name = "ship_notice"

    def get_queryset(self):
        return ShipNotice.objects.filter(
            purchase_order__in=purchase_orders_of(self.request.user)
        ).select_related("purchase_order", "sent_by", "receipt")

    def get_context_data(self, **kwargs):
        lines = self.object.lines.select_related("purchase_order_line__item")
        return super().get_context_data(lines=lines, **kwargs)
