"""The Order Entry Clerk's workbench: Create Order, Manage Orders, the order page and Book.

Names follow Oracle Order Management: Save keeps the order Entered, Submit books it.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Prefetch, Q
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from b2b_portal.document_lines import lines_total, paged
from b2b_portal.errors import ApplicationError
from b2b_portal.fields import format_quantity
from b2b_portal.history import DocumentHistory
from b2b_portal.lists import Column, SearchableListMixin
from b2b_portal.queries import with_a_line
from b2b_portal.row_urls import url_for_each
from b2b_portal.templatetags.formatting import EMPTY
from b2b_portal.web import OnceOnlyFormMixin, RoleRequiredMixin, ServiceActionView, UnitScopedMixin
from orchestration.views.changes import ChangeFormView
from processes.batching import filter_by
from procurement.models import PurchaseOrderLine, RequisitionLine, SupplyOrder

from .editing import (
    sales_order_line_add,
    sales_order_line_remove,
    sales_order_line_update,
    sales_order_update,
    statuses_editable,
)
from .forms import (
    LINES_PREFIX,
    MAX_LINES,
    OrderEditForm,
    OrderHeaderForm,
    OrderLineEditForm,
    OrderLineRemoveForm,
    OrderSearchForm,
    filled_lines,
    order_line_form,
    order_line_formset,
    posted_lines_as_initial,
)
from .models import LineStatus, SalesOrder, SalesOrderLine, derive_order_status
from .promising import scheduled_ship_dates
from .selectors import filter_header_status, with_listed_order_columns
from .services import OrderLineInput, sales_order_book, sales_order_create

SUBMIT = "submit"


class OrderCreateView(RoleRequiredMixin, OnceOnlyFormMixin, FormView):
    """Create Order: a header and its lines; Save (Entered) or Submit (booked)."""

    permission_required = "orders.add_salesorder"
    template_name = "orders/order_create.html"
    form_class = OrderHeaderForm
    lines = None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        # htmx asks for the page again when the business unit changes: as typed, for that
        # unit (its customers, warehouses and items only).
        return self.request.GET.dict() if self.request.GET else super().get_initial()

    def get_context_data(self, **kwargs):
        form = kwargs.setdefault("form", self.get_form())
        if self.lines is None:
            typed = posted_lines_as_initial(self.request.GET) or None
            self.lines = order_line_formset(user=self.request.user, unit=form.unit, initial=typed)
        kwargs.setdefault("lines", self.lines)
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        if "add_line" in request.POST:
            return self.render_with_one_more_line()
        if shown := self.first_submit_shown():  # before the warnings of a repeated order
            return shown
        if request.POST.get("action") == SUBMIT and not request.user.has_perm(
            "orders.book_salesorder"
        ):
            raise PermissionDenied
        form = self.get_form()
        self.lines = order_line_formset(request.POST, user=request.user, unit=form.unit)
        lines_valid = self.lines.is_valid()
        if lines_valid:  # the header warns of an order just entered with the same lines
            form.lines = filled_lines(self.lines)
        if form.is_valid() and lines_valid:
            return self.form_valid(form)
        return self.form_invalid(form)

    def render_with_one_more_line(self):
        """Add line without JavaScript: the page again, as typed, unvalidated, one line longer."""
        data = self.request.POST
        user = self.request.user
        form = OrderHeaderForm(user=user, initial=data.dict())
        lines = posted_lines_as_initial(data)
        self.lines = order_line_formset(user=user, unit=form.unit, initial=lines, extra=1)
        return self.render_to_response(self.get_context_data(form=form))

    def form_valid_once(self, form):
        header = form.cleaned_data
        user = self.request.user
        order = sales_order_create(
            actor=user,
            business_unit=header["business_unit"],
            customer=header["customer"],
            warehouse=header["warehouse"],
            requested_date=header["requested_date"],
            customer_po_number=header["customer_po_number"],
            lines=[OrderLineInput.from_entry(line) for line in filled_lines(self.lines)],
        )
        self.made = order
        if self.request.POST.get("action") != SUBMIT:
            messages.success(self.request, f"{order} is saved as Entered.")
            return redirect(order)
        # Booking is its own service and transaction: when it is refused the order stays
        # Entered (and the token used), and the clerk fixes it from the order page.
        try:
            sales_order_book(actor=user, sales_order=order)
        except ApplicationError as error:
            messages.error(self.request, f"{order} is saved but not submitted: {error.message}")
        else:
            messages.success(self.request, f"{order} is submitted and booked.")
        return redirect(order)


class OrderLineNewView(RoleRequiredMixin, View):
    """htmx, Add line: one more blank line; the formset's line count follows out of band."""

    permission_required = "orders.add_salesorder"

    def get(self, request):
        index = _bounded_int(request.GET.get(f"{LINES_PREFIX}-TOTAL_FORMS"))
        line = order_line_form(f"{LINES_PREFIX}-{index}", user=request.user, params=request.GET)
        context = {"line": line, "total_forms": index + 1}
        return render(request, "orders/_order_line_new.html", context)


class OrderLinePriceView(RoleRequiredMixin, View):
    """htmx, an item chosen on a line: the line's price field filled with its list price."""

    permission_required = "orders.add_salesorder"

    def get(self, request):
        index = _bounded_int(request.GET.get("line", "").removeprefix(f"{LINES_PREFIX}-"))
        prefix = f"{LINES_PREFIX}-{index}"
        posted = order_line_form(prefix, user=request.user, params=request.GET, data=request.GET)
        try:
            item = posted.fields["item"].clean(posted["item"].value())
        except ValidationError:
            item = None  # none chosen, or not one of the user's items: the price stays empty
        price = item.list_price if item else None
        line = order_line_form(
            prefix, user=request.user, params=request.GET, initial={"unit_selling_price": price}
        )
        return render(request, "orders/_order_line_price.html", {"line": line})


def _bounded_int(value) -> int:
    try:
        return max(0, min(int(value), MAX_LINES))
    except (TypeError, ValueError):
        return 0


class OrderListView(RoleRequiredMixin, UnitScopedMixin, SearchableListMixin, ListView):
    """Manage Orders: search, filter by the order's status, sort, page."""

    permission_required = "orders.view_salesorder"
    template_name = "orders/order_list.html"
    export_name = "orders"
    search_form_class = OrderSearchForm

    @property
    def queryset(self):
        return with_listed_order_columns(SalesOrder.objects.select_related("customer"))

    columns = [
        Column("Order", "number", "pk", value="number"),
        Column("Customer", "customer", "customer__name", value="customer.name"),
        Column("Customer PO", value="customer_po_number"),
        Column("Ordered", "ordered", "ordered_date", value="ordered_date"),
        Column("Requested", "requested", "requested_date", value="requested_date"),
        Column("Status", value="header_status"),
        Column("Lines", css="num", value="line_count"),
    ]

    def filter_queryset(self, queryset, data: dict):
        orders = filter_by(
            queryset,
            pk=data["number"],
            ordered_date__gte=data["ordered_from"],
            ordered_date__lte=data["ordered_to"],
        )
        if text := data["customer"]:
            orders = orders.filter(
                Q(customer__name__icontains=text) | Q(customer__number__icontains=text)
            )
        if text := data["item"]:
            item = Q(item__number__icontains=text) | Q(item__description__icontains=text)
            orders = with_a_line(orders, SalesOrderLine, item, document="order")
        if data["status"]:
            orders = filter_header_status(orders, data["status"])
        return orders

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        url = url_for_each("orders:detail")
        # The rows formatted in one pass: the template only prints them (issue 13).
        context["rows"] = [
            {
                "url": url(order.pk),
                "number": order.number,
                "customer": order.customer.name,
                "customer_po_number": order.customer_po_number or EMPTY,
                "ordered_date": order.ordered_date.isoformat(),
                "requested_date": order.requested_date.isoformat(),
                "header_status": order.header_status,
                "line_count": order.line_count,
            }
            for order in context["object_list"]
        ]
        return context


@dataclass
class OrderLineRow:
    """A line of the order page with the supply that stands behind it (the live one last)."""

    line: SalesOrderLine
    supply_order: SupplyOrder | None
    requisition_line: RequisitionLine | None
    po_line: PurchaseOrderLine | None
    po_url: str | None
    trace_url: str
    # Edit and Remove, while the line may still be edited (None: not offered).
    edit_url: str | None
    remove_url: str | None
    # The scheduled ship date; for a line not yet booked, the one booking today would give.
    ships: date | None = None


def _last(prefetched):
    rows = list(prefetched.all())
    return rows[-1] if rows else None


# The historical models' own managers: ``SalesOrder.history`` makes a manager class on every
# access (simple_history's ``from_queryset``, about a millisecond each).
HISTORICAL_ORDER = SalesOrder.history.model
HISTORICAL_ORDER_LINE = SalesOrderLine.history.model


class OrderDetailView(RoleRequiredMixin, UnitScopedMixin, DetailView):
    """The order: header, status, and its lines a page at a time (b2b_portal.document_lines)
    with their quantities and their supply; the status, total and actions over all lines."""

    permission_required = "orders.view_salesorder"
    template_name = "orders/order_detail.html"
    model = SalesOrder
    context_object_name = "order"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("business_unit", "customer", "warehouse", "created_by", "booked_by")
        )

    def get_context_data(self, **kwargs):
        order, user = self.object, self.request.user
        line_page = paged(self.request, _order_lines(order))
        # The statuses of every line, not only the page's: the header's and the actions'.
        statuses = set(order.lines.order_by().values_list("status", flat=True).distinct())
        status = derive_order_status(statuses)
        can_edit = user.has_perm("orders.change_salesorder") and statuses_editable(statuses)
        # Each URL reversed once per request, not per line (issue 13).
        po_url = (
            url_for_each("procurement:po_detail")
            if user.has_perm("procurement.view_purchaseorder")
            else None
        )
        trace_url = url_for_each("orchestration:peg_trace")
        edit_url = url_for_each("orders:line_edit") if can_edit else None
        remove_url = url_for_each("orders:line_remove") if can_edit else None
        rows = []
        for line in line_page:
            po_line = _last(line.purchase_order_lines)
            editable = can_edit and line.status == LineStatus.ENTERED
            rows.append(
                OrderLineRow(
                    line=line,
                    supply_order=_last(line.supply_orders),
                    requisition_line=_last(line.requisition_lines),
                    po_line=po_line,
                    po_url=po_url(po_line.purchase_order_id) if po_line and po_url else None,
                    trace_url=trace_url(line.pk),
                    edit_url=edit_url(line.pk) if editable else None,
                    remove_url=remove_url(line.pk) if editable else None,
                )
            )
        _set_ship_dates(rows, order.warehouse)
        return super().get_context_data(
            line_page=line_page,
            rows=rows,
            order_status=status,
            order_status_display=LineStatus(status).label,
            total_amount=lines_total(
                order.lines, price="unit_selling_price", condition=~Q(status=LineStatus.CANCELLED)
            ),
            can_book=LineStatus.ENTERED in statuses,
            can_edit=can_edit,
            history=DocumentHistory(
                "Order",
                HISTORICAL_ORDER.objects.filter(id=order.pk),
                HISTORICAL_ORDER_LINE.objects.filter(order_id=order.pk),
            ).page(self.request),
            **kwargs,
        )


def _order_lines(order: SalesOrder):
    """The order's lines with their supply (the live one last) and the number of the line
    each was split from (which may be on another page)."""
    return (
        order.lines.select_related("item")
        .annotate(split_from_number=F("split_from__line_number"))
        .prefetch_related(
            Prefetch("supply_orders", queryset=SupplyOrder.objects.order_by("pk")),
            Prefetch(
                "requisition_lines",
                queryset=RequisitionLine.objects.select_related("requisition").order_by("pk"),
            ),
            Prefetch(
                "purchase_order_lines",
                queryset=PurchaseOrderLine.objects.select_related("purchase_order").order_by("pk"),
            ),
        )
    )


def _set_ship_dates(rows: list[OrderLineRow], warehouse) -> None:
    """Each row's ship date: the line's own once booked, else what booking today gives, so
    that the clerk can tell the customer before submitting."""
    for row in rows:
        row.ships = row.line.scheduled_ship_date
    entered = [row for row in rows if row.line.status == LineStatus.ENTERED]
    previews = scheduled_ship_dates(
        [(row.line.item, row.line.requested_date) for row in entered], warehouse=warehouse
    )
    for row, ships in zip(entered, previews, strict=True):
        row.ships = ships


class OrderBookView(ServiceActionView):
    """Book (Oracle's Submit) an order's Entered lines from the order page."""

    permission_required = "orders.book_salesorder"
    model = SalesOrder
    success_message = "{obj} is booked."

    def perform(self, obj):
        return sales_order_book(actor=self.request.user, sales_order=obj)


# --- Editing an Entered order (orders.editing) ------------------------------------------


class OrderEditingMixin:
    """The edits of an Entered order: role orders.change_salesorder, the user's units (another
    unit's order is a 404); the service refuses an order that is booked meanwhile."""

    permission_required = "orders.change_salesorder"


class LineFormMixin:
    """The line form offers the active items of the order's unit, as Create Order does."""

    form_class = OrderLineEditForm
    template_name = "orders/order_line_edit.html"

    def get_form_kwargs(self):
        unit = self.edited_order().business_unit
        return {**super().get_form_kwargs(), "user": self.request.user, "unit": unit}

    def edited_order(self) -> SalesOrder:
        raise NotImplementedError

    def line_values(self, data) -> dict:
        names = ("item", "quantity", "unit_selling_price", "no_charge")
        return {name: data[name] for name in names}


class OrderEditView(OrderEditingMixin, ChangeFormView):
    """Change an Entered order's customer PO and requested date."""

    model = SalesOrder
    related = ("customer",)
    form_class = OrderEditForm
    template_name = "orders/order_edit.html"

    def get_initial(self):
        order = self.object
        return {
            "customer_po_number": order.customer_po_number,
            "requested_date": order.requested_date,
        }

    def perform(self, data) -> str:
        order = sales_order_update(
            actor=self.request.user,
            sales_order=self.object,
            customer_po_number=data["customer_po_number"],
            requested_date=data["requested_date"],
        )
        return f"{order} is changed."

    def document_url(self) -> str:
        return self.object.get_absolute_url()


class OrderLineAddView(OrderEditingMixin, LineFormMixin, ChangeFormView):
    """Add a line to an Entered order."""

    model = SalesOrder
    related = ("customer",)

    def get_context_data(self, **kwargs):
        return super().get_context_data(order=self.object, **kwargs)

    def edited_order(self) -> SalesOrder:
        return self.object

    def perform(self, data) -> str:
        line = sales_order_line_add(
            actor=self.request.user, sales_order=self.object, **self.line_values(data)
        )
        quantity = format_quantity(line.quantity)
        return f"Line {line.line_number} added: {line.item.number} x {quantity}."

    def document_url(self) -> str:
        return self.object.get_absolute_url()


class OrderLineChangeMixin(OrderEditingMixin):
    model = SalesOrderLine
    business_unit_path = "order__business_unit"
    related = ("order__customer", "item")

    def get_context_data(self, **kwargs):
        return super().get_context_data(order=self.object.order, line=self.object, **kwargs)

    def document_url(self) -> str:
        return self.object.order.get_absolute_url()


class OrderLineEditView(OrderLineChangeMixin, LineFormMixin, ChangeFormView):
    """Change an Entered line's item, quantity or price."""

    def get_initial(self):
        line = self.object
        return {
            "item": line.item_id,
            "quantity": line.quantity,
            "unit_selling_price": line.unit_selling_price,
            "no_charge": not line.unit_selling_price,
        }

    def edited_order(self) -> SalesOrder:
        return self.object.order

    def perform(self, data) -> str:
        line = sales_order_line_update(
            actor=self.request.user, line=self.object, **self.line_values(data)
        )
        return f"Line {line.line_number} is changed."


class OrderLineRemoveView(OrderLineChangeMixin, ChangeFormView):
    """Remove an Entered line (the order keeps at least one)."""

    form_class = OrderLineRemoveForm
    template_name = "orders/order_line_remove.html"

    def perform(self, data) -> str:
        line = self.object
        sales_order_line_remove(actor=self.request.user, line=line)
        return f"Line {line.line_number} ({line.item.number}) is removed."
