"""The changes after booking: cancel a line or a whole order, change a line's quantity,
re-promise a line, close a PO line short.

The pages are thin: a form asks for the reason, one service does the change and records
who and why, and the message says what the service did (and what it now asks of the
buyer).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView

from b2b_portal.fields import format_quantity
from b2b_portal.web import OnceOnlyFormMixin, RoleRequiredMixin, UnitScopedMixin
from orders.models import CANCELLABLE, LineStatus, SalesOrder, SalesOrderLine
from procurement.models import PurchaseOrderLine

from .. import selectors, services
from ..forms import (
    CloseShortForm,
    LineCancelForm,
    LineQuantityForm,
    LineRepromiseForm,
    OrderCancelForm,
)
from ..models import BusinessException


def _with_asked(text: str, raised: list[BusinessException]) -> str:
    """The message of a change, followed by what it now asks of the buyer."""
    asked = " ".join(f"Asked of the buyer: {exception.message}" for exception in raised)
    return f"{text} {asked}" if asked else text


@dataclass(frozen=True)
class LiveSupply:
    """The PO line that supplies a line now, to say on the form what the change will do."""

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
        supply = LiveSupply(selectors.live_po_line(self.object))
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


class LineRepromiseView(LineChangeFormView):
    """Tell the customer a new scheduled ship date; the line's jeopardy follows."""

    form_class = LineRepromiseForm
    template_name = "orchestration/line_repromise.html"

    def get_initial(self):
        return {"scheduled_ship_date": self.object.scheduled_ship_date}

    def perform(self, data) -> str:
        line = services.sales_order_line_repromise(
            actor=self.request.user,
            line=self.object,
            scheduled_ship_date=data["scheduled_ship_date"],
            reason=data["reason"],
        )
        state = f"at risk, {line.days_late} days late" if line.days_late else "supply on time"
        return f"{line} is now scheduled to ship on {line.scheduled_ship_date:%Y-%m-%d} ({state})."


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
