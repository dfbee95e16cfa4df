"""The Shipping Clerk's workbench: Pick Release, the pick slip, shipments and Ship Confirm."""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Count, Min, OuterRef, Prefetch, Q, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.utils.timezone import localtime
from django.views.generic import DetailView, FormView, ListView
from django_fsm import can_proceed

from b2b_portal.document_lines import paged
from b2b_portal.errors import ValidationRefused
from b2b_portal.lists import Column, SearchableListMixin
from b2b_portal.numbers import document_number
from b2b_portal.pdf import PDFMixin
from b2b_portal.queries import lines_aggregate, number_match
from b2b_portal.row_urls import url_for_each
from b2b_portal.templatetags.formatting import EMPTY, quantity
from b2b_portal.web import OnceOnlyFormMixin, RoleRequiredMixin, ServiceActionView, UnitScopedMixin
from orders.models import SalesOrder
from orders.numbers import sales_order_number
from processes.batching import filter_by

from .corrections import (
    pick_wave_unrelease,
    shipment_line_unrelease,
    shipment_reverse,
    shipment_unrelease,
)
from .forms import PickReleaseForm, ShipConfirmForm, ShipmentCorrectionForm, ShipmentSearchForm
from .models import PickWave, Shipment, ShipmentLine, ShipmentStatus
from .selectors import lines_awaiting_release
from .services import pick_release, pick_wave_ship_confirm, shipment_ship_confirm


def awaiting_context(form: PickReleaseForm) -> dict:
    """``awaiting``: the count, or None while a criterion is wrong (the form says which)."""
    field_errors = form.is_bound and form.errors.keys() - {NON_FIELD_ERRORS, "submission_token"}
    if field_errors:
        return {"awaiting": None}
    return {
        "awaiting": lines_awaiting_release(
            business_units=form.units, **form.shown_criteria()
        ).count()
    }


class PickReleaseView(RoleRequiredMixin, OnceOnlyFormMixin, FormView):
    """Pick Release: reserved lines of one warehouse become a pick wave, one shipment per
    sales order."""

    permission_required = "shipping.add_pickwave"
    form_class = PickReleaseForm
    template_name = "shipping/release.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get(self, request, *args, **kwargs):
        if request.htmx:
            # The count follows the criteria as the clerk changes them.
            form = PickReleaseForm(request.GET, user=request.user)
            return render(request, "shipping/_awaiting_release.html", awaiting_context(form))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**context, **awaiting_context(context["form"])}

    def form_valid_once(self, form):
        criteria = form.criteria()
        wave = pick_release(
            actor=self.request.user, business_unit=criteria["warehouse"].business_unit, **criteria
        )
        shipments = wave.shipments.count()
        messages.success(self.request, f"{wave} released {shipments} shipment(s) to pick.")
        return redirect(wave)


class PickWaveDetailView(PDFMixin, RoleRequiredMixin, UnitScopedMixin, DetailView):
    """The pick slip: what to pick for each shipment of the wave; printable, and a PDF with
    ``pdf=True``."""

    permission_required = "shipping.view_pickwave"
    template_name = "shipping/wave_detail.html"
    context_object_name = "wave"
    queryset = PickWave.objects.select_related(
        "warehouse", "released_by", "business_unit"
    ).prefetch_related(
        Prefetch(
            "shipments",
            queryset=Shipment.objects.select_related("customer").order_by("pk"),
        ),
        Prefetch(
            "shipments__lines",
            queryset=ShipmentLine.objects.select_related(
                "sales_order_line__order", "sales_order_line__item"
            ),
        ),
    )

    def get_context_data(self, **kwargs):
        released = [s for s in self.object.shipments.all() if s.status == ShipmentStatus.RELEASED]
        may_unrelease = released and self.request.user.has_perm("shipping.add_pickwave")
        return super().get_context_data(
            may_ship_confirm=released and self.request.user.has_perm("shipping.confirm_shipment"),
            unrelease_form=ShipmentCorrectionForm(prefix="unrelease") if may_unrelease else None,
            **kwargs,
        )


def _minute(moment) -> str:
    """A moment to the minute in the user's time zone, as ``|date:"Y-m-d H:i"`` shows it."""
    return localtime(moment).strftime("%Y-%m-%d %H:%M")


def shipment_sales_order(shipment) -> str | None:
    """The number of the order a listed shipment was released for (``sales_order_id``)."""
    return SalesOrder(pk=shipment.sales_order_id).number if shipment.sales_order_id else None


# A shipment's lines in its own status: not one un-released on its own.
IN_STATUS = Q(status=OuterRef("status"))


class ShipmentListView(RoleRequiredMixin, UnitScopedMixin, SearchableListMixin, ListView):
    permission_required = "shipping.view_shipment"
    template_name = "shipping/shipment_list.html"
    export_name = "shipments"
    search_form_class = ShipmentSearchForm
    # Correlated subqueries (lines_aggregate), not a join and GROUP BY over every shipment:
    # the page reads its 25 rows' lines only and the paginator's COUNT stays plain.
    queryset = Shipment.objects.select_related("customer", "warehouse", "pick_wave").annotate(
        line_count=Coalesce(
            lines_aggregate(ShipmentLine, Count("pk"), document="shipment", condition=IN_STATUS),
            0,
        ),
        total_quantity=lines_aggregate(
            ShipmentLine, Sum("quantity"), document="shipment", condition=IN_STATUS
        ),
        # Pick release makes one shipment per sales order.
        sales_order_id=lines_aggregate(
            ShipmentLine, Min("sales_order_line__order_id"), document="shipment"
        ),
    )
    columns = [
        Column("Shipment", "number", "pk", value="number"),
        Column("Sales order", value=shipment_sales_order),
        Column("Customer", "customer", "customer__name", value="customer.name"),
        Column("Warehouse", value="warehouse.code"),
        Column("Pick wave", value="pick_wave.number"),
        Column("Status", "status", "status", value="get_status_display"),
        Column("Lines", "lines", "line_count", css="num", value="line_count"),
        Column("Quantity", css="num", value="total_quantity", kind="quantity"),
        Column("Released", "released", "created_at", value="created_at"),
        Column("Shipped", "shipped", "shipped_at", value="shipped_at"),
    ]

    def filter_queryset(self, queryset, data: dict):
        return filter_by(
            queryset,
            status=data["status"],
            customer=data["customer"],
            created_at__date__gte=data["released_from"],
            created_at__date__lte=data["released_to"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        url = url_for_each("shipping:shipment_detail")
        # A pick wave links for a user who may open it (the shipper, not an AR clerk).
        may_open_waves = self.request.user.has_perm("shipping.view_pickwave")
        wave_url = url_for_each("shipping:wave_detail") if may_open_waves else lambda pk: None
        # The rows formatted in one pass: the template only prints them (issue 13).
        context["rows"] = [
            {
                "url": url(shipment.pk),
                "number": shipment.number,
                "sales_order": shipment_sales_order(shipment) or "",
                "customer": shipment.customer.name,
                "warehouse": shipment.warehouse.code,
                "pick_wave_url": wave_url(shipment.pick_wave_id),
                "pick_wave": shipment.pick_wave.number,
                "status": shipment.get_status_display(),
                "line_count": shipment.line_count,
                "total_quantity": quantity(shipment.total_quantity),
                "released": _minute(shipment.created_at),
                "shipped": _minute(shipment.shipped_at) if shipment.shipped_at else EMPTY,
            }
            for shipment in context["object_list"]
        ]
        return context

    def text_match(self, text):
        match = (
            Q(customer__name__icontains=text)
            | Q(customer__number__iexact=text)
            | number_match(document_number(text, "SHP"))
        )
        if (number := sales_order_number(text)) is not None:
            # Through a subquery: a join on the lines would multiply the counted lines.
            of_order = ShipmentLine.objects.filter(sales_order_line__order_id=number)
            match |= Q(pk__in=of_order.values("shipment_id"))
        return match


class ShipmentDetailView(PDFMixin, RoleRequiredMixin, UnitScopedMixin, DetailView):
    """A shipment; printed (or a PDF with ``pdf=True``) it is the packing list."""

    permission_required = "shipping.view_shipment"
    template_name = "shipping/shipment_detail.html"
    context_object_name = "shipment"
    queryset = Shipment.objects.select_related(
        "customer", "warehouse", "pick_wave", "shipped_by", "business_unit"
    )

    def get_context_data(self, **kwargs):
        shipment, user = self.object, self.request.user
        may_confirm = user.has_perm("shipping.confirm_shipment") and can_proceed(
            shipment.ship_confirm
        )
        may_unrelease = user.has_perm("shipping.add_pickwave") and can_proceed(shipment.unrelease)
        may_reverse = user.has_perm("shipping.confirm_shipment") and can_proceed(shipment.reverse)
        lines = shipment.lines.select_related("sales_order_line__order", "sales_order_line__item")
        # The packing list (PDF) and Ship Confirm, a form over every released line, show
        # every line; otherwise the page shows them a page at a time (b2b_portal.document_lines).
        line_page = None if self.pdf or may_confirm else paged(self.request, lines)
        shown = list(lines) if line_page is None else line_page.object_list
        released = [line for line in shown if line.status == ShipmentStatus.RELEASED]
        ship_confirm_form = ShipConfirmForm(lines=released) if may_confirm else None
        # Each line with its "ship now" quantity field while the shipment can be confirmed
        # (a line un-released on its own has none: it does not ship).
        fields = dict(ship_confirm_form.line_fields()) if may_confirm else {}
        rows = [(line, fields.get(line)) for line in shown]
        # One line un-released at a time while more than one is released; the last one goes
        # with the shipment's own Un-release.
        line_unrelease = may_unrelease and lines.filter(status=ShipmentStatus.RELEASED).count() > 1
        return super().get_context_data(
            ship_confirm_form=ship_confirm_form,
            line_page=line_page,
            rows=rows,
            line_unrelease_form=(
                ShipmentCorrectionForm(prefix="unrelease-line") if line_unrelease else None
            ),
            unrelease_form=ShipmentCorrectionForm(prefix="unrelease") if may_unrelease else None,
            reverse_form=ShipmentCorrectionForm(prefix="reverse") if may_reverse else None,
            **kwargs,
        )


def _form_refusal(form) -> ValidationRefused:
    """A form's errors as the refusal the page shows, each after its field's label."""
    return ValidationRefused(
        " ".join(f"{form[name].label}: {' '.join(errors)}" for name, errors in form.errors.items())
    )


class ShipConfirmView(ServiceActionView):
    """Ship Confirm: the reserved stock leaves the warehouse and the lines are Shipped;
    a line shipped short is split, the rest waits reserved for the next release."""

    model = Shipment
    permission_required = "shipping.confirm_shipment"
    success_message = "{obj} is ship confirmed."

    def perform(self, shipment):
        lines = shipment.lines.filter(status=ShipmentStatus.RELEASED).order_by("pk")
        form = ShipConfirmForm(self.request.POST, lines=lines)
        if not form.is_valid():
            raise _form_refusal(form)
        return shipment_ship_confirm(
            actor=self.request.user,
            shipment=shipment,
            waybill=form.cleaned_data["waybill"],
            quantities=form.quantities(),
        )


class CorrectionView(ServiceActionView):
    """A correction with a reason: ``service(actor=, <argument>=obj, reason=)``."""

    prefix = ""
    argument = "shipment"

    def perform(self, obj):
        form = ShipmentCorrectionForm(self.request.POST, prefix=self.prefix)
        if not form.is_valid():
            raise _form_refusal(form)
        reason = form.cleaned_data["reason"]
        return self.service(actor=self.request.user, reason=reason, **{self.argument: obj})


class ShipmentUnreleaseView(CorrectionView):
    """Un-release: the lines go back to Awaiting Shipping, still reserved."""

    model = Shipment
    permission_required = "shipping.add_pickwave"
    prefix = "unrelease"
    service = staticmethod(shipment_unrelease)
    success_message = "{obj} is un-released; its lines are awaiting shipping again."


class ShipmentLineUnreleaseView(CorrectionView):
    """Un-release of one line: back to Awaiting Shipping, still reserved; the rest ships."""

    model = ShipmentLine
    business_unit_path = "shipment__business_unit"
    permission_required = "shipping.add_pickwave"
    prefix = "unrelease-line"
    argument = "shipment_line"
    service = staticmethod(shipment_line_unrelease)
    success_message = (
        "{obj.sales_order_line} is un-released from {obj.shipment}; it is awaiting shipping again."
    )

    def get_success_url(self, obj):
        return obj.shipment.get_absolute_url()


class ShipmentReverseView(CorrectionView):
    """Reversal before AR invoicing: the goods are back on hand, reserved for their lines."""

    model = Shipment
    permission_required = "shipping.confirm_shipment"
    prefix = "reverse"
    service = staticmethod(shipment_reverse)
    success_message = "{obj} is reversed; the goods are back on hand and reserved."


class PickWaveUnreleaseView(CorrectionView):
    """Un-release every shipment of the wave still Released."""

    model = PickWave
    permission_required = "shipping.add_pickwave"
    prefix = "unrelease"
    argument = "pick_wave"
    service = staticmethod(pick_wave_unrelease)

    def perform(self, wave):
        self.shipments = super().perform(wave)
        return wave

    def get_success_message(self, result) -> str:
        return f"{result} un-released {len(self.shipments)} shipment(s)."


class PickWaveShipConfirmView(ServiceActionView):
    """Ship Confirm of the whole wave: every shipment still Released ships in full."""

    model = PickWave
    permission_required = "shipping.confirm_shipment"

    def perform(self, wave):
        self.shipments = pick_wave_ship_confirm(actor=self.request.user, pick_wave=wave)
        return wave

    def get_success_message(self, result) -> str:
        return f"{result}: {len(self.shipments)} shipment(s) ship confirmed."
