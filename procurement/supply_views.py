"""The buyer's pages that cancel supply and re-source it: cancel a PO or a PO line (by the
buyer or on the supplier's word), cancel a requisition line, re-source a supply order.

Each is a change page (``orchestration.views.changes.ChangeFormView``): a form with the
reason, one service, a message saying what it did; a refusal shows on the form.
"""

from django.urls import reverse

from b2b_portal.fields import format_quantity
from orchestration.views.changes import ChangeFormView

from .forms import HOLD, RESOURCE_NOW, RequisitionCancelForm, ResourceForm, SupplyCancelForm
from .models import PurchaseOrder, PurchaseOrderLine, RequisitionLine, SupplyOrder
from .services import (
    purchase_order_cancel,
    purchase_order_line_cancel,
    requisition_line_cancel,
    supply_order_resource,
)

LEFT_FOR_THE_BUYER = (
    "Its supply order waits in the Exceptions work area: re-source it or cancel the demand."
)


class PurchaseOrderLineCancelView(ChangeFormView):
    """Cancel the open quantity of a PO line with nothing received."""

    model = PurchaseOrderLine
    business_unit_path = "purchase_order__business_unit"
    related = ("purchase_order__supplier", "sales_order_line__order", "item")
    permission_required = "procurement.change_purchaseorder"
    form_class = SupplyCancelForm
    template_name = "procurement/po_line_cancel.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(po_line=self.object, **kwargs)

    def perform(self, data) -> str:
        po_line = purchase_order_line_cancel(
            actor=self.request.user,
            purchase_order_line=self.object,
            reason=data["reason"],
            on_supplier_word=data["on_supplier_word"],
        )
        pegged = f" {LEFT_FOR_THE_BUYER}" if po_line.sales_order_line_id else ""
        return f"{po_line} is cancelled.{pegged}"

    def document_url(self) -> str:
        return self.object.purchase_order.get_absolute_url()


class PurchaseOrderCancelView(ChangeFormView):
    """Cancel every open line of a PO, and so the PO."""

    model = PurchaseOrder
    related = ("supplier",)
    permission_required = "procurement.change_purchaseorder"
    form_class = SupplyCancelForm
    template_name = "procurement/po_cancel.html"

    def get_context_data(self, **kwargs):
        lines = self.object.lines.select_related("item", "sales_order_line__order")
        return super().get_context_data(purchase_order=self.object, lines=lines, **kwargs)

    def perform(self, data) -> str:
        purchase_order = purchase_order_cancel(
            actor=self.request.user,
            purchase_order=self.object,
            reason=data["reason"],
            on_supplier_word=data["on_supplier_word"],
        )
        return (
            f"{purchase_order} is {purchase_order.get_status_display()}: its open lines are "
            f"cancelled. {LEFT_FOR_THE_BUYER}"
        )

    def document_url(self) -> str:
        return self.object.get_absolute_url()


class RequisitionLineCancelView(ChangeFormView):
    """Cancel a requisition line no PO covers yet; its supply order is sourced again."""

    model = RequisitionLine
    business_unit_path = "requisition__business_unit"
    related = ("requisition", "supplier", "item", "sales_order_line__order")
    permission_required = "procurement.change_purchaseorder"
    form_class = RequisitionCancelForm
    template_name = "procurement/requisition_cancel.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "item": self.object.item}

    def get_context_data(self, **kwargs):
        return super().get_context_data(requisition_line=self.object, **kwargs)

    def perform(self, data) -> str:
        then = data["then"]
        line = requisition_line_cancel(
            actor=self.request.user,
            requisition_line=self.object,
            reason=data["reason"],
            hold=then == HOLD,
            resource_with=data["sourcing_rule"] if then == RESOURCE_NOW else None,
        )
        if then == RESOURCE_NOW:
            rule = data["sourcing_rule"]
            return f"{line} is cancelled and re-sourced from {rule.supplier.name} on a draft PO."
        if then == HOLD:
            return f"{line} is cancelled. {LEFT_FOR_THE_BUYER}"
        return f"{line} is cancelled: the next Generate Supply Orders sources its demand again."

    def document_url(self) -> str:
        return reverse("procurement:requisitions")


class SupplyOrderResourceView(ChangeFormView):
    """Source a supply order again from the supplier the buyer picks: a new requisition
    line and a draft PO line pegged to the same order line."""

    model = SupplyOrder
    related = ("item", "sales_order_line__order")
    permission_required = "procurement.add_purchaseorder"
    form_class = ResourceForm
    template_name = "procurement/supply_resource.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "item": self.object.item}

    def get_context_data(self, **kwargs):
        return super().get_context_data(supply_order=self.object, **kwargs)

    def perform(self, data) -> str:
        po_line = supply_order_resource(
            actor=self.request.user,
            supply_order=self.object,
            sourcing_rule=data["sourcing_rule"],
            reason=data["reason"],
        )
        self.new_po = po_line.purchase_order
        return (
            f"{self.object.sales_order_line} is re-sourced: {po_line} for "
            f"{format_quantity(po_line.quantity)} from {data['sourcing_rule'].supplier.name} "
            "(draft: submit it for approval)."
        )

    def document_url(self) -> str:
        new_po = getattr(self, "new_po", None)
        if new_po is not None:
            return new_po.get_absolute_url()
        return self.object.sales_order_line.order.get_absolute_url()
