"""The Shipping Clerk's workbench: Pick Release, the pick slip, shipments and Ship Confirm.

``SortedListMixin`` is shared with the invoicing workbenches' list pages.
"""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Count, F, Min, Prefetch, Q, Sum
from django.shortcuts import redirect, render
from django.views.generic import DetailView, FormView, ListView
from django_fsm import can_proceed

from b2b_portal.errors import ValidationRefused
from b2b_portal.web import OnceOnlyFormMixin, RoleRequiredMixin, ServiceActionView, UnitScopedMixin
from orders.models import LineStatus, SalesOrderLine
from processes.batching import filter_by

from .forms import (
    PickReleaseForm,
    ShipConfirmForm,
    ShipmentFilterForm,
    document_number,
)
from .models import PickWave, Shipment, ShipmentLine
from .services import pick_release, shipment_ship_confirm


class SortedListMixin:
    """A list page paginated by 25 and sorted by a whitelisted ``?sort=`` (``-`` descends).

    ``columns`` are the table headings as (label, sort key or None, CSS class);
    ``sort_fields`` maps each sort key to the field or annotation it orders by.
    """

    paginate_by = 25
    columns: list[tuple[str, str | None, str]] = []
    sort_fields: dict[str, str] = {}
    default_sort = "-number"

    def current_sort(self) -> str:
        sort = self.request.GET.get("sort", "")
        return sort if sort.removeprefix("-") in self.sort_fields else self.default_sort

    def sorted(self, queryset):
        sort = self.current_sort()
        field = F(self.sort_fields[sort.removeprefix("-")])
        order = field.desc(nulls_last=True) if sort.startswith("-") else field.asc(nulls_last=True)
        # The primary key breaks ties, so that pages never repeat or skip a row.
        return queryset.order_by(order, "-pk")

    def get_context_data(self, **kwargs):
        sort = self.current_sort()
        headings = []
        for label, key, css in self.columns:
            heading = {"label": label, "css": css, "key": key}
            if key:
                heading["next"] = f"-{key}" if sort == key else key
                heading["aria_sort"] = {key: "ascending", f"-{key}": "descending"}.get(sort, "none")
            headings.append(heading)
        return super().get_context_data(headings=headings, **kwargs)


def lines_awaiting_release(form: PickReleaseForm):
    """The reserved, unreleased lines Pick Release would take for the form's criteria.

    The same selection as ``shipping.services.pick_release`` makes (without its locks):
    the count shown before the clerk presses Release.
    """
    criteria = form.criteria() if form.is_bound else {}
    lines = SalesOrderLine.objects.filter(
        status=LineStatus.AWAITING_SHIPPING,
        shipment_lines__isnull=True,
        order__business_unit__in=form.units,
    )
    return filter_by(
        lines,
        order__warehouse=criteria.get("warehouse"),
        order__customer=criteria.get("customer"),
        order=criteria.get("sales_order"),
        requested_date__lte=criteria.get("requested_by"),
    )


def awaiting_context(form: PickReleaseForm) -> dict:
    """``awaiting``: the count, or None while a criterion is wrong (the form says which)."""
    field_errors = form.is_bound and form.errors.keys() - {NON_FIELD_ERRORS}
    return {"awaiting": None if field_errors else lines_awaiting_release(form).count()}


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


class PickWaveDetailView(RoleRequiredMixin, UnitScopedMixin, DetailView):
    """The pick slip: what to pick for each shipment of the wave; printable."""

    permission_required = "shipping.view_pickwave"
    template_name = "shipping/wave_detail.html"
    context_object_name = "wave"
    queryset = PickWave.objects.select_related("warehouse", "released_by").prefetch_related(
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


class ShipmentListView(RoleRequiredMixin, UnitScopedMixin, SortedListMixin, ListView):
    permission_required = "shipping.view_shipment"
    template_name = "shipping/shipment_list.html"
    columns = [
        ("Shipment", "number", ""),
        ("Sales order", None, ""),
        ("Customer", "customer", ""),
        ("Warehouse", None, ""),
        ("Pick wave", None, ""),
        ("Status", "status", ""),
        ("Lines", "lines", "num"),
        ("Quantity", None, "num"),
        ("Released", "released", ""),
        ("Shipped", "shipped", ""),
    ]
    sort_fields = {
        "number": "pk",
        "customer": "customer__name",
        "status": "status",
        "lines": "line_count",
        "released": "created_at",
        "shipped": "shipped_at",
    }

    def get_queryset(self):
        self.filters = ShipmentFilterForm(self.request.GET or None, user=self.request.user)
        shipments = (
            self.scope(Shipment.objects.all())
            .select_related("customer", "warehouse", "pick_wave")
            .annotate(
                line_count=Count("lines"),
                total_quantity=Sum("lines__quantity"),
                # Pick release makes one shipment per sales order.
                sales_order_id=Min("lines__sales_order_line__order_id"),
            )
        )
        if self.filters.is_valid():
            shipments = self.filtered(shipments, self.filters.cleaned_data)
        return self.sorted(shipments)

    @staticmethod
    def filtered(shipments, data):
        shipments = filter_by(
            shipments,
            status=data["status"] or None,
            customer=data["customer"],
            created_at__date__gte=data["released_from"],
            created_at__date__lte=data["released_to"],
        )
        text = data["q"].strip()
        if not text:
            return shipments
        match = Q(customer__name__icontains=text) | Q(customer__number__iexact=text)
        if (number := document_number(text, "SHP")) is not None:
            match |= Q(pk=number)
        if (number := document_number(text, "SO")) is not None:
            of_order = ShipmentLine.objects.filter(sales_order_line__order_id=number)
            match |= Q(pk__in=of_order.values("shipment_id"))
        return shipments.filter(match)

    def get_context_data(self, **kwargs):
        return super().get_context_data(filters=self.filters, **kwargs)


class ShipmentDetailView(RoleRequiredMixin, UnitScopedMixin, DetailView):
    permission_required = "shipping.view_shipment"
    template_name = "shipping/shipment_detail.html"
    context_object_name = "shipment"
    queryset = Shipment.objects.select_related(
        "customer", "warehouse", "pick_wave", "shipped_by"
    ).prefetch_related(
        Prefetch(
            "lines",
            queryset=ShipmentLine.objects.select_related(
                "sales_order_line__order", "sales_order_line__item"
            ),
        )
    )

    def get_context_data(self, **kwargs):
        shipment = self.object
        may_confirm = self.request.user.has_perm("shipping.confirm_shipment") and can_proceed(
            shipment.ship_confirm
        )
        return super().get_context_data(
            ship_confirm_form=ShipConfirmForm() if may_confirm else None, **kwargs
        )


class ShipConfirmView(ServiceActionView):
    """Ship Confirm: the reserved stock leaves the warehouse and the lines are Shipped."""

    model = Shipment
    permission_required = "shipping.confirm_shipment"
    success_message = "{obj} is ship confirmed."

    def perform(self, shipment):
        form = ShipConfirmForm(self.request.POST)
        if not form.is_valid():
            raise ValidationRefused(f"Waybill: {' '.join(form.errors['waybill'])}")
        return shipment_ship_confirm(
            actor=self.request.user, shipment=shipment, waybill=form.cleaned_data["waybill"]
        )
