"""The shipping clerk's endpoints: Pick Release into a pick wave, the shipments and Ship
Confirm, through the Shipping workbench's services with its permissions and unit scoping
(another unit's wave or shipment is a 404). See docs/api.md, "Shipping"."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog.units import scope_to_units
from shipping.forms import ShipmentSearchForm
from shipping.models import PickWave, ShipmentLine, ShipmentStatus
from shipping.services import pick_release, shipment_ship_confirm
from shipping.views import ShipmentListView

from . import fulfilment_serializers as s
from .list_filters import api_search_form, page_search, search_parameters
from .supplier_views import ID
from .views import responses

ShipmentFilterForm = api_search_form(ShipmentSearchForm, prefix="SHP", party="customer")
SHIPMENT_FILTERS = search_parameters(
    prefix="SHP",
    q="A shipment or sales order number, or part of the customer's name",
    party="customer",
    statuses=ShipmentStatus.values,
    dates="released",
)


def shipments():
    """Shipments as the Shipments page reads them (its sales order among them), with lines."""
    lines = ShipmentLine.objects.select_related("sales_order_line__item").order_by("pk")
    return ShipmentListView.queryset.select_related("business_unit", "shipped_by").prefetch_related(
        Prefetch("lines", queryset=lines)
    )


class PickWaveViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Pick Release: a wave of one shipment per sales order; the wave read again."""

    lookup_value_converter = "int"
    serializer_class = s.PickWaveSerializer
    permissions_by_action = {
        "create": ("shipping.add_pickwave",),
        "retrieve": ("shipping.view_pickwave",),
    }

    def get_queryset(self):
        waves = PickWave.objects.select_related(
            "business_unit", "warehouse", "released_by"
        ).prefetch_related(Prefetch("shipments", queryset=shipments().order_by("pk")))
        return scope_to_units(waves, self.request.user)

    @extend_schema(parameters=[ID], responses=responses({200: s.PickWaveSerializer}, 404))
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request=s.PickReleaseInputSerializer,
        responses=responses({201: s.PickWaveSerializer}, 400, 409),
    )
    def create(self, request):
        """Release every fully reserved line the criteria find, as the Pick Release page."""
        entry = s.PickReleaseInputSerializer(data=request.data, context={"request": request})
        entry.is_valid(raise_exception=True)
        wave = pick_release(actor=request.user, **entry.validated_data)
        wave = get_object_or_404(self.get_queryset(), pk=wave.pk)
        return Response(self.get_serializer(wave).data, status=status.HTTP_201_CREATED)


class ShipmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Shipments, searched as the Shipments page; Ship Confirm."""

    lookup_value_converter = "int"
    serializer_class = s.ShipmentSerializer
    permissions_by_action = {
        "list": ("shipping.view_shipment",),
        "retrieve": ("shipping.view_shipment",),
        "ship_confirm": ("shipping.confirm_shipment",),
    }

    def get_queryset(self):
        found = scope_to_units(shipments(), self.request.user)
        if self.action == "list":
            search = ShipmentFilterForm(self.request.query_params, user=self.request.user)
            found = page_search(ShipmentListView, found, search)
        return found.order_by("-pk")

    @extend_schema(
        parameters=SHIPMENT_FILTERS, responses=responses({200: s.ShipmentSerializer}, 400, 404)
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[ID], responses=responses({200: s.ShipmentSerializer}, 404))
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        parameters=[ID],
        request=s.ShipConfirmInputSerializer,
        responses=responses({200: s.ShipmentSerializer}, 400, 404, 409),
    )
    @action(detail=True, methods=["post"], url_path="ship-confirm")
    def ship_confirm(self, request, pk=None):
        """The reserved stock leaves the warehouse and the lines are Shipped; a line shipped
        short is split, the rest stays reserved for the next release."""
        shipment = self.get_object()
        entry = s.ShipConfirmInputSerializer(data=request.data)
        entry.is_valid(raise_exception=True)
        entries = entry.validated_data.get("lines", [])
        s.lines_named(shipment.lines, entries, key="shipment_line", document=shipment)
        shipment_ship_confirm(
            actor=request.user,
            shipment=shipment,
            waybill=entry.validated_data["waybill"],
            quantities={line["shipment_line"]: line["quantity"] for line in entries},
        )
        return Response(self.get_serializer(self.get_object()).data)
