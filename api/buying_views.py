"""The buyer's endpoints: purchase orders as Manage Purchase Orders finds them and the PO
page shows them, and the page's Submit, Approve and Reject through the same services, with
the same permissions and business-unit scoping (another unit's PO is a 404). See
docs/api.md, "For buyers"."""

from django import forms
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog.units import scope_to_units
from procurement.forms import PurchaseOrderSearchForm
from procurement.models import POStatus, PurchaseOrder, PurchaseOrderLine
from procurement.services import (
    purchase_order_approve,
    purchase_order_reject,
    purchase_order_submit,
)
from procurement.views import PurchaseOrderListView

from . import buying_serializers as s
from .supplier_views import ID
from .views import responses, valid_query

VIEW = ("procurement.view_purchaseorder",)
APPROVE = ("procurement.approve_purchaseorder",)
SUPPLY_FILTERS = [
    OpenApiParameter("supplier", str, description="The supplier's number (S-100)"),
    OpenApiParameter("item", str, description="An item on any line, by number"),
]
PO_FILTERS = [
    OpenApiParameter("number", str, description="PO-000123 or 123"),
    *SUPPLY_FILTERS,
    OpenApiParameter("status", str, enum=POStatus.values),
]


def by_codes(search: forms.Form) -> forms.Form:
    """A procurement or receiving page's search form (``SupplyFilterForm``) naming the
    supplier and the item by number, as the API names master data, not by id."""
    for name in ("supplier", "item"):
        search.fields[name].to_field_name = "number"
    return search


class PurchaseOrderViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Purchase orders with their pegged lines; submit, approve and reject."""

    lookup_value_converter = "int"
    serializer_class = s.PurchaseOrderSerializer
    permissions_by_action = {
        "list": VIEW,
        "retrieve": VIEW,
        "submit": ("procurement.change_purchaseorder",),
        "approve": APPROVE,
        "reject": APPROVE,
    }

    def get_queryset(self):
        lines = PurchaseOrderLine.objects.select_related("item", "sales_order_line__order")
        purchase_orders = PurchaseOrder.objects.select_related(
            "business_unit",
            "supplier",
            "supplier_site",
            "ship_to_warehouse",
            "buyer",
            "approved_by",
        ).prefetch_related(Prefetch("lines", queryset=lines.order_by("line_number")))
        purchase_orders = scope_to_units(purchase_orders, self.request.user)
        if self.action == "list":
            # Manage Purchase Orders' own search, so both find the same POs.
            search = by_codes(
                PurchaseOrderSearchForm(self.request.query_params, user=self.request.user)
            )
            purchase_orders = PurchaseOrderListView().filter_queryset(
                purchase_orders, valid_query(search)
            )
        return purchase_orders.order_by("-pk")

    @extend_schema(
        parameters=PO_FILTERS, responses=responses({200: s.PurchaseOrderSerializer}, 400, 404)
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[ID], responses=responses({200: s.PurchaseOrderSerializer}, 404))
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        parameters=[ID],
        request=None,
        responses=responses({200: s.PurchaseOrderSerializer}, 404, 409),
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send a Draft PO for approval (Pending Approval), as the PO page's Submit."""
        purchase_order = purchase_order_submit(actor=request.user, purchase_order=self.get_object())
        return Response(self._read(purchase_order.pk))

    @extend_schema(
        parameters=[ID],
        request=None,
        responses=responses({200: s.PurchaseOrderSerializer}, 404, 409),
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a PO and send it to the supplier (Open); above the unit's approval limit
        its own buyer may not (403 with the reason)."""
        purchase_order = purchase_order_approve(
            actor=request.user, purchase_order=self.get_object()
        )
        return Response(self._read(purchase_order.pk))

    @extend_schema(
        parameters=[ID],
        request=s.RejectInputSerializer,
        responses=responses({200: s.PurchaseOrderSerializer}, 400, 404, 409),
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Return a PO pending approval to its buyer as a Draft, saying why."""
        purchase_order = self.get_object()
        entry = s.RejectInputSerializer(data=request.data)
        entry.is_valid(raise_exception=True)
        purchase_order = purchase_order_reject(
            actor=request.user, purchase_order=purchase_order, **entry.validated_data
        )
        return Response(self._read(purchase_order.pk))

    def _read(self, pk) -> dict:
        purchase_order = get_object_or_404(self.get_queryset(), pk=pk)
        return self.get_serializer(purchase_order).data
