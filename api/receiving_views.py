"""The receiver's endpoints: the ship notices Receive Expected Shipments lists and their
receipt, a receipt entered on a PO's lines, and the receipts as their pages show them, with
the pages' permissions and business-unit scoping (another unit's document is a 404). Each
write is the page's service: ``ship_notice_receive`` and ``receipt_create``. See
docs/api.md, "For receivers"."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog.units import scope_to_units
from receiving.forms import ReceiptSearchForm
from receiving.models import Receipt, ReceiptLine
from receiving.services import ReceiptLineInput, receipt_create
from receiving.views import ReceiptListView
from suppliers.models import ShipNotice, ShipNoticeLine
from suppliers.selectors import ship_notices_on_the_way
from suppliers.services import ship_notice_receive

from . import buying_serializers as s
from .buying_views import SUPPLY_FILTERS, by_codes
from .fulfilment_serializers import lines_named
from .supplier_views import ID
from .views import responses, valid_query

RECEIVE = ("receiving.add_receipt",)
RECEIPT_FILTERS = [
    OpenApiParameter("number", str, description="RCV-000123 or 123"),
    OpenApiParameter("purchase_order", str, description="PO-000123 or 123"),
    *SUPPLY_FILTERS,
]


def receipts_read(user):
    """Receipts of the user's units with what their reads show (a fixed number of queries
    for a page of them)."""
    lines = ReceiptLine.objects.select_related(
        "purchase_order_line__item", "sales_order_line__order"
    ).order_by("pk")
    receipts = Receipt.objects.select_related(
        "business_unit",
        "purchase_order__supplier",
        "warehouse",
        "received_by",
        "ship_notice",
    ).prefetch_related(Prefetch("lines", queryset=lines))
    return scope_to_units(receipts, user)


def _created(receipt, request) -> Response:
    read = receipts_read(request.user).get(pk=receipt.pk)
    return Response(s.ReceiptSerializer(read).data, status=status.HTTP_201_CREATED)


class ShipNoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Ship notices to receive (the list: those on the way, soonest arrival first) and
    their receipt."""

    lookup_value_converter = "int"
    serializer_class = s.ExpectedShipNoticeSerializer
    permissions_by_action = dict.fromkeys(("list", "retrieve", "receive"), RECEIVE)

    def get_queryset(self):
        # As the receive page: any notice of the user's units (a received one is refused
        # by the service); the list is Receive Expected Shipments' own.
        lines = ShipNoticeLine.objects.select_related("purchase_order_line__item")
        ship_notices = ship_notices_on_the_way() if self.action == "list" else ShipNotice.objects
        ship_notices = ship_notices.select_related(
            "business_unit",
            "purchase_order__supplier",
            "purchase_order__ship_to_warehouse",
            "sent_by",
            "receipt",
        ).prefetch_related(Prefetch("lines", queryset=lines.order_by("pk")))
        return scope_to_units(ship_notices, self.request.user).order_by("expected_arrival", "pk")

    @extend_schema(responses=responses({200: s.ExpectedShipNoticeSerializer}, 400, 404))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[ID], responses=responses({200: s.ExpectedShipNoticeSerializer}, 404))
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        parameters=[ID],
        request=s.ShipNoticeReceiveInputSerializer,
        responses=responses({201: s.ReceiptSerializer}, 400, 404, 409),
    )
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        """Receive the notice: what it still has on the way, but what arrived of each of the
        ``lines`` given (0: none of it); the notice keeps the receipt."""
        ship_notice = self.get_object()
        entry = s.ShipNoticeReceiveInputSerializer(data=request.data)
        entry.is_valid(raise_exception=True)
        data = entry.validated_data
        notice_lines = {line.pk: line for line in ship_notice.lines.all()}
        lines_named(ship_notice.lines, data["lines"], key="ship_notice_line", document=ship_notice)
        # What is still on the way, as the page prefills: receipts on the PO may have brought
        # part of it already.
        arrived = {
            line_id: line.quantity - line.received_quantity
            for line_id, line in notice_lines.items()
        }
        arrived.update({line["ship_notice_line"]: line["quantity"] for line in data["lines"]})
        receipt = ship_notice_receive(
            actor=request.user,
            ship_notice=ship_notice,
            lines=[
                ReceiptLineInput(
                    purchase_order_line=notice_lines[line_id].purchase_order_line,
                    quantity=quantity,
                )
                for line_id, quantity in arrived.items()
            ],
            packing_slip=data["packing_slip"],
        )
        return _created(receipt, request)


class ReceiptViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Receipts as their list finds them; a receipt entered on a PO's lines."""

    lookup_value_converter = "int"
    serializer_class = s.ReceiptSerializer
    permissions_by_action = {
        "list": ("receiving.view_receipt",),
        "retrieve": ("receiving.view_receipt",),
        "create": RECEIVE,
    }

    def get_queryset(self):
        receipts = receipts_read(self.request.user)
        if self.action == "list":
            # The receipts page's own search, so both find the same receipts.
            search = by_codes(ReceiptSearchForm(self.request.query_params, user=self.request.user))
            receipts = ReceiptListView().filter_queryset(receipts, valid_query(search))
        return receipts.order_by("-pk")

    @extend_schema(
        parameters=RECEIPT_FILTERS, responses=responses({200: s.ReceiptSerializer}, 400, 404)
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[ID], responses=responses({200: s.ReceiptSerializer}, 404))
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request=s.ReceiptCreateSerializer,
        responses=responses({201: s.ReceiptSerializer}, 400, 409),
    )
    def create(self, request):
        """Receive goods on a PO's lines, as the receipt entry's Create Receipt: each
        received quantity is reserved for the pegged sales order line."""
        entry = s.ReceiptCreateSerializer(data=request.data, context={"request": request})
        entry.is_valid(raise_exception=True)
        data = entry.validated_data
        purchase_order = data["purchase_order"]
        po_lines = lines_named(
            purchase_order.lines, data["lines"], key="purchase_order_line", document=purchase_order
        )
        receipt = receipt_create(
            actor=request.user,
            purchase_order=purchase_order,
            lines=[
                ReceiptLineInput(
                    purchase_order_line=po_lines[line["purchase_order_line"]],
                    quantity=line["quantity"],
                )
                for line in data["lines"]
            ],
            packing_slip=data["packing_slip"],
        )
        return _created(receipt, request)
