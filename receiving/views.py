"""The receiving agent's workbench: Receive Expected Shipments, the receipt entry, and the
receipts with the reservation each one made for the pegged sales order line."""

from dataclasses import dataclass
from functools import cached_property

from django.contrib import messages
from django.db.models import Count, F, Min, Q, Sum
from django.shortcuts import get_object_or_404, redirect
from django.utils.timezone import localtime
from django.views.generic import DetailView, FormView, ListView

from b2b_portal.document_lines import paged
from b2b_portal.fields import format_quantity
from b2b_portal.lists import Column, SearchableListMixin
from b2b_portal.queries import lines_aggregate, with_a_line
from b2b_portal.row_urls import url_for_each
from b2b_portal.templatetags.formatting import EMPTY, quantity
from b2b_portal.web import OnceOnlyFormMixin, RoleRequiredMixin, UnitScopedMixin
from orders.models import LineStatus
from processes.batching import filter_by
from procurement.models import POLineStatus, POStatus, PurchaseOrder, PurchaseOrderLine
from procurement.selectors import purchase_orders_filtered
from procurement.templatetags.pegs import PegLinks
from suppliers.models import ShipNotice
from suppliers.selectors import ship_notices_on_the_way
from suppliers.services import ship_notice_receive

from .forms import ExpectedShipmentSearchForm, ReceiptSearchForm, ReceiveForm
from .models import Receipt, ReceiptLine
from .services import receipt_create

OPEN_LINES = Q(status=POLineStatus.OPEN)


def day(value) -> str:
    """A date as the pages show it (``|date:"Y-m-d"``), empty when there is none."""
    return value.isoformat() if value else ""


def open_lines_aggregate(aggregate):
    return lines_aggregate(
        PurchaseOrderLine, aggregate, document="purchase_order", condition=OPEN_LINES
    )


class ReceiveExpectedShipmentsView(
    RoleRequiredMixin, UnitScopedMixin, SearchableListMixin, ListView
):
    """Approved purchase orders still waiting for goods."""

    permission_required = "receiving.add_receipt"
    template_name = "receiving/expected.html"
    export_name = "expected-shipments"
    context_object_name = "purchase_orders"
    search_form_class = ExpectedShipmentSearchForm
    queryset = (
        PurchaseOrder.objects.filter(status=POStatus.OPEN)
        .select_related("supplier", "ship_to_warehouse")
        .annotate(
            open_lines=open_lines_aggregate(Count("pk")),
            open_quantity=open_lines_aggregate(Sum(F("quantity") - F("received_quantity"))),
            next_promised_date=open_lines_aggregate(Min("promised_date")),
        )
    )
    columns = [
        Column("Order", "number", "pk", value="number"),
        Column("Supplier", "supplier", "supplier__name", value="supplier.name"),
        Column("Ship to", value="ship_to_warehouse.code"),
        Column("Open lines", css="num", value="open_lines"),
        Column(
            "Open quantity",
            "open_quantity",
            "open_quantity",
            css="num",
            value="open_quantity",
            kind="quantity",
        ),
        Column("Next promised", "promised", "next_promised_date", value="next_promised_date"),
        Column("Receive", hidden=True),
    ]
    default_sort = "promised"

    def filter_queryset(self, queryset, data: dict):
        return purchase_orders_filtered(queryset, **data)

    def get_context_data(self, **kwargs):
        """The ship notices on their way to the user's units, soonest first."""
        ship_notices = self.scope(ship_notices_on_the_way()).select_related(
            "purchase_order__supplier", "purchase_order__ship_to_warehouse"
        )
        context = super().get_context_data(
            ship_notices=ship_notices.order_by("expected_arrival", "pk"), **kwargs
        )
        context["rows"] = self.rows(context["purchase_orders"])
        return context

    def rows(self, purchase_orders) -> list[dict]:
        """The page's purchase orders as they show, in one pass: the template only prints
        them (issue 13)."""
        po_url, receive_url = (
            url_for_each("procurement:po_detail"),
            url_for_each("receiving:receive"),
        )
        return [
            {
                "url": po_url(purchase_order.pk),
                "receive_url": receive_url(purchase_order.pk),
                "number": purchase_order.number,
                "supplier": purchase_order.supplier.name,
                "ship_to": purchase_order.ship_to_warehouse.code,
                "open_lines": purchase_order.open_lines,
                "open_quantity": quantity(purchase_order.open_quantity),
                "next_promised": day(purchase_order.next_promised_date),
            }
            for purchase_order in purchase_orders
        ]


class ReceiveView(RoleRequiredMixin, UnitScopedMixin, OnceOnlyFormMixin, FormView):
    """Enter what arrived on each open line of one PO; Create Receipt reserves it for the
    pegged sales order lines."""

    permission_required = "receiving.add_receipt"
    model = PurchaseOrder
    template_name = "receiving/receive.html"
    form_class = ReceiveForm

    @cached_property
    def purchase_order(self) -> PurchaseOrder:
        purchase_orders = PurchaseOrder.objects.select_related("supplier", "ship_to_warehouse")
        return get_object_or_404(self.scope(purchase_orders), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        lines = self.purchase_order.lines.select_related("item", "sales_order_line__order")
        return {
            **super().get_form_kwargs(),
            "po_lines": list(lines.filter(OPEN_LINES)),
            "closed_lines": list(lines.exclude(OPEN_LINES)),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(purchase_order=self.purchase_order, **kwargs)

    def form_valid_once(self, form):
        receipt = receipt_create(
            actor=self.request.user,
            purchase_order=self.purchase_order,
            lines=form.receipt_lines(),
            packing_slip=form.cleaned_data["packing_slip"],
        )
        messages.success(
            self.request, f"{receipt} is created; what arrived is reserved for its order lines."
        )
        return redirect(receipt)


class ReceiptListView(RoleRequiredMixin, UnitScopedMixin, SearchableListMixin, ListView):
    permission_required = "receiving.view_receipt"
    template_name = "receiving/receipt_list.html"
    export_name = "receipts"
    context_object_name = "receipts"
    search_form_class = ReceiptSearchForm
    # The header's stored totals (receiving.totals), not a sum over each receipt's lines.
    queryset = Receipt.objects.select_related(
        "purchase_order__supplier", "warehouse", "received_by"
    )
    columns = [
        Column("Receipt", "number", "pk", value="number"),
        Column(
            "Purchase order",
            "purchase_order",
            "purchase_order_id",
            value="purchase_order.number",
        ),
        Column(
            "Supplier",
            "supplier",
            "purchase_order__supplier__name",
            value="purchase_order.supplier.name",
        ),
        Column("Warehouse", value="warehouse.code"),
        Column("Received", "received_at", "received_at", value="received_at"),
        Column("By", value="received_by.get_username"),
        Column("Packing slip", value="packing_slip"),
        Column("Lines", css="num", value="line_count"),
        Column(
            "Quantity",
            "quantity",
            "total_quantity",
            css="num",
            value="total_quantity",
            kind="quantity",
        ),
    ]

    def get_context_data(self, **kwargs):
        """The page's receipts as they show, in one pass: the template only prints them
        (issue 13)."""
        context = super().get_context_data(**kwargs)
        receipt_url = url_for_each("receiving:receipt_detail")
        po_url = None
        if self.request.user.has_perm("procurement.view_purchaseorder"):
            po_url = url_for_each("procurement:po_detail")
        context["rows"] = [
            {
                "url": receipt_url(receipt.pk),
                "number": receipt.number,
                "po_url": po_url and po_url(receipt.purchase_order_id),
                "po_number": PurchaseOrder.number_of(receipt.purchase_order_id),
                "supplier": receipt.purchase_order.supplier.name,
                "warehouse": receipt.warehouse.code,
                "received_at": localtime(receipt.received_at).strftime("%Y-%m-%d %H:%M"),
                "received_by": receipt.received_by.get_username(),
                "packing_slip": receipt.packing_slip or EMPTY,
                "line_count": receipt.line_count,
                "quantity": quantity(receipt.total_quantity),
            }
            for receipt in context["receipts"]
        ]
        return context

    def filter_queryset(self, queryset, data: dict):
        receipts = filter_by(
            queryset,
            pk=data["number"],
            purchase_order_id=data["purchase_order"],
            purchase_order__supplier=data["supplier"],
        )
        if data["item"] is None:
            return receipts
        item_received = Q(purchase_order_line__item=data["item"])
        return with_a_line(receipts, ReceiptLine, item_received, document="receipt")


# What the receipt page shows of a line, read as values: no model per line, item and peg.
RECEIPT_LINE_FIELDS = (
    "pk",
    "purchase_order_line__line_number",
    "purchase_order_line__item__number",
    "quantity",
    "reserved_quantity",
    "sales_order_line_id",
    "sales_order_line__line_number",
    "sales_order_line__order_id",
    "sales_order_line__status",
    "sales_order_line__reservation__quantity",
)
SO_LINE_STATUS_LABELS = dict(LineStatus.choices)


@dataclass(frozen=True, slots=True)
class ReceiptLineRow:
    """A line of the receipt page as it shows."""

    pk: int
    po_line: str
    item_number: str
    quantity: str
    reserved: str
    peg: str
    reserved_now: str
    so_line_status: str


class ReceiptDetailView(RoleRequiredMixin, UnitScopedMixin, DetailView):
    """A receipt and, per line, the reservation now held for the pegged order line."""

    permission_required = "receiving.view_receipt"
    template_name = "receiving/receipt_detail.html"
    context_object_name = "receipt"
    queryset = Receipt.objects.select_related(
        "purchase_order__supplier", "warehouse", "received_by"
    )

    def get_context_data(self, **kwargs):
        """Its lines a page at a time (b2b_portal.document_lines), formatted here in one
        pass: the template only prints them (issue 13)."""
        # Paged as models, read as values: the count then joins nothing.
        line_page = paged(self.request, self.object.lines.all())
        po_number, pegs = self.object.purchase_order.number, PegLinks(self.request.user)
        line_page.object_list = [
            ReceiptLineRow(
                pk=line["pk"],
                po_line=f"{po_number} line {line['purchase_order_line__line_number']}",
                item_number=line["purchase_order_line__item__number"],
                quantity=quantity(line["quantity"]),
                reserved=quantity(line["reserved_quantity"]),
                peg=pegs.cell(
                    line["sales_order_line_id"],
                    line["sales_order_line__line_number"],
                    line["sales_order_line__order_id"],
                ),
                # No reservation (none made, or used up by shipping) shows 0.
                reserved_now=quantity(line["sales_order_line__reservation__quantity"] or 0),
                so_line_status=SO_LINE_STATUS_LABELS.get(line["sales_order_line__status"], ""),
            )
            for line in line_page.object_list.values(*RECEIPT_LINE_FIELDS)
        ]
        return super().get_context_data(line_page=line_page, **kwargs)


class ReceiveShipNoticeView(ReceiveView):
    """Receive a ship notice: its PO's receipt entry with the notice's quantities filled
    in (the agent corrects them to what arrived); the notice keeps the receipt."""

    model = ShipNotice

    @cached_property
    def ship_notice(self) -> ShipNotice:
        ship_notices = ShipNotice.objects.select_related(
            "purchase_order__supplier", "purchase_order__ship_to_warehouse"
        )
        return get_object_or_404(self.scope(ship_notices), pk=self.kwargs["ship_notice"])

    @cached_property
    def purchase_order(self) -> PurchaseOrder:
        return self.ship_notice.purchase_order

    def get_initial(self):
        return {
            # What is still on the way: receipts on the PO may have brought part of it.
            ReceiveForm.field_name(line.purchase_order_line): format_quantity(
                line.quantity - line.received_quantity
            )
            for line in self.ship_notice.lines.select_related("purchase_order_line")
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(ship_notice=self.ship_notice, **kwargs)

    def form_valid_once(self, form):
        receipt = ship_notice_receive(
            actor=self.request.user,
            ship_notice=self.ship_notice,
            lines=form.receipt_lines(),
            packing_slip=form.cleaned_data["packing_slip"],
        )
        messages.success(
            self.request,
            f"{receipt} is created from {self.ship_notice}; what arrived is reserved for its "
            "order lines.",
        )
        return redirect(receipt)
