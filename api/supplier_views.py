"""The supplier endpoints: a supplier's user reads their supplier's POs, acknowledges a
line, sends a ship notice and enters an invoice, through the supplier portal's services
and its scoping (``suppliers.selectors.purchase_orders_of``): another supplier's PO or
line is a 404, as it is on the pages. See docs/api.md, "For suppliers"."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from invoicing.services import APLineInput
from procurement.models import POStatus, PurchaseOrderLine
from suppliers.models import ShipNotice
from suppliers.selectors import lines_for_supplier, purchase_orders_of, with_acknowledgements
from suppliers.services import (
    ShipNoticeLineInput,
    line_acknowledge,
    ship_notice_create,
    supplier_invoice_create,
)

from . import supplier_serializers as s
from .fulfilment_serializers import lines_named
from .views import responses

SUPPLIER = ("suppliers.collaborate_supplier",)
# The URL's <int:...> takes no sign: a negative id is no URL of the API at all.
ID = OpenApiParameter("id", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH)


def _lines_named(purchase_order, entries: list[dict]) -> dict[int, PurchaseOrderLine]:
    """The PO's lines named by id in ``entries``; an id not of this PO is a 400."""
    return lines_named(purchase_order.lines, entries, key="line", document=purchase_order)


class SupplierPurchaseOrderViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The supplier's approved POs in every unit that buys from it; ship notices and
    invoices on one of them."""

    lookup_value_converter = "int"
    serializer_class = s.SupplierPurchaseOrderSerializer
    permissions_by_action = dict.fromkeys(("list", "retrieve", "ship_notice", "invoice"), SUPPLIER)

    def get_queryset(self):
        purchase_orders = purchase_orders_of(self.request.user)
        if self.action == "list":
            wanted = self.request.query_params.get("status")
            if wanted:
                if wanted not in POStatus.values:
                    raise ValidationError({"status": [f"{wanted!r} is not a PO status."]})
                purchase_orders = purchase_orders.filter(status=wanted)
        return purchase_orders.select_related("business_unit", "ship_to_warehouse").order_by("-pk")

    def _read(self, purchase_orders):
        """The POs with their lines' dates, answers and ship notices (a fixed number of
        queries for a page of POs)."""
        purchase_orders = list(
            purchase_orders.prefetch_related(
                Prefetch("lines", queryset=with_acknowledgements(PurchaseOrderLine.objects.all())),
                Prefetch(
                    "ship_notices",
                    queryset=ShipNotice.objects.select_related(
                        "purchase_order", "sent_by", "receipt"
                    ).prefetch_related("lines"),
                ),
            )
        )
        lines = lines_for_supplier([line for po in purchase_orders for line in po.lines.all()])
        for purchase_order in purchase_orders:
            purchase_order.supplier_lines = [
                line for line in lines if line.purchase_order_id == purchase_order.pk
            ]
        return purchase_orders

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=POStatus.values)],
        responses=responses({200: s.SupplierPurchaseOrderSerializer}, 400, 404),
    )
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        page_ids = [purchase_order.pk for purchase_order in page]
        purchase_orders = self._read(self.get_queryset().filter(pk__in=page_ids))
        return self.get_paginated_response(self.get_serializer(purchase_orders, many=True).data)

    @extend_schema(
        parameters=[ID], responses=responses({200: s.SupplierPurchaseOrderSerializer}, 404)
    )
    def retrieve(self, request, pk=None):
        purchase_order = self.get_object()
        [purchase_order] = self._read(self.get_queryset().filter(pk=purchase_order.pk))
        return Response(self.get_serializer(purchase_order).data)

    @extend_schema(
        parameters=[ID],
        request=s.ShipNoticeInputSerializer,
        responses=responses({201: s.ShipNoticeSerializer}, 400, 404, 409),
    )
    @action(detail=True, methods=["post"], url_path="ship-notices")
    def ship_notice(self, request, pk=None):
        """Send a ship notice: what was shipped on which lines, when it arrives."""
        purchase_order = self.get_object()
        entry = s.ShipNoticeInputSerializer(data=request.data)
        entry.is_valid(raise_exception=True)
        data = entry.validated_data
        lines = _lines_named(purchase_order, data["lines"])
        ship_notice = ship_notice_create(
            actor=request.user,
            purchase_order=purchase_order,
            ship_date=data["ship_date"],
            expected_arrival=data["expected_arrival"],
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            lines=[
                ShipNoticeLineInput(
                    purchase_order_line=lines[line["line"]], quantity=line["quantity"]
                )
                for line in data["lines"]
            ],
        )
        return Response(s.ShipNoticeSerializer(ship_notice).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ID],
        request=s.InvoiceInputSerializer,
        responses=responses({201: s.SupplierInvoiceSerializer}, 400, 404, 409),
    )
    @action(detail=True, methods=["post"], url_path="invoices")
    def invoice(self, request, pk=None):
        """Enter the supplier's invoice: a draft AP invoice matched to this PO."""
        purchase_order = self.get_object()
        entry = s.InvoiceInputSerializer(data=request.data)
        entry.is_valid(raise_exception=True)
        data = entry.validated_data
        lines = _lines_named(purchase_order, data["lines"])
        invoice = supplier_invoice_create(
            actor=request.user,
            purchase_order=purchase_order,
            supplier_invoice_number=data["supplier_invoice_number"],
            invoice_date=data["invoice_date"],
            lines=[
                APLineInput(
                    purchase_order_line=lines[line["line"]],
                    quantity=line["quantity"],
                    unit_price=line["unit_price"],
                )
                for line in data["lines"]
            ],
        )
        return Response(s.SupplierInvoiceSerializer(invoice).data, status=status.HTTP_201_CREATED)


class SupplierLineViewSet(viewsets.GenericViewSet):
    """One line of the supplier's POs: its acknowledgement."""

    lookup_value_converter = "int"
    serializer_class = s.AcknowledgementSerializer
    permissions_by_action = {"acknowledge": SUPPLIER}

    def get_queryset(self):
        return PurchaseOrderLine.objects.filter(
            purchase_order__in=purchase_orders_of(self.request.user)
        ).select_related("purchase_order")

    @extend_schema(
        parameters=[ID],
        request=s.AcknowledgeInputSerializer,
        responses=responses({201: s.AcknowledgementSerializer}, 400, 404, 409),
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Accept the line, accept it for a new date, backorder part of it for a date, or
        reject it with a reason (the buyer then re-sources it)."""
        po_line = self.get_object()
        entry = s.AcknowledgeInputSerializer(data=request.data)
        entry.is_valid(raise_exception=True)
        acknowledgement = line_acknowledge(
            actor=request.user, purchase_order_line=po_line, **entry.validated_data
        )
        return Response(
            s.AcknowledgementSerializer(acknowledgement).data, status=status.HTTP_201_CREATED
        )
