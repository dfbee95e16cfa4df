"""The REST API's endpoints: each calls the service or selector the page of the same action
calls, with the page's permission (``permissions_by_action``) and business-unit scoping
(another unit's document is a 404). See docs/api.md."""

from django import forms
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from b2b_portal.links import viewable_url
from catalog.units import scope_to_units
from orchestration.peg_trace import TRACE_PERMISSIONS, peg_trace
from orchestration.services import sales_order_line_repromise
from orders.forms import OrderSearchForm
from orders.importing import OrderEntry, sales_orders_import
from orders.models import HEADER_STATUS_RANKING, SalesOrder, SalesOrderLine
from orders.selectors import with_header_status
from orders.services import sales_order_book, sales_order_create
from orders.views import OrderListView
from processes.batching import filter_by
from processes.forms import RunFilterForm
from processes.models import RunStatus
from processes.registry import PROCESSES
from processes.selectors import runs_visible_to
from processes.services import process_run_queue

from . import serializers as s

ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Malformed input, field by field."),
    401: OpenApiResponse(s.ErrorSerializer, description="No valid token or session."),
    403: OpenApiResponse(s.ErrorSerializer, description="The role does not allow it."),
    404: OpenApiResponse(
        s.ErrorSerializer, description="None such in your business units (or no such page)."
    ),
    409: OpenApiResponse(s.ErrorSerializer, description="Refused by a business rule."),
}


def responses(ok: dict, *codes: int) -> dict:
    return {**ok, **{code: ERRORS[code] for code in (401, 403, *codes)}}


def valid_query(form: forms.Form) -> dict:
    """A page's search form bound to the query string: its cleaned data, or 400."""
    if not form.is_valid():
        raise ValidationError(form.errors.get_json_data())
    return form.cleaned_data


ORDER_FILTERS = [
    OpenApiParameter("number", str, description="SO-000123 or 123"),
    OpenApiParameter("customer", str, description="Part of the customer's name or number"),
    OpenApiParameter("item", str, description="Part of an item's number or description"),
    OpenApiParameter("status", str, enum=[status.value for status in HEADER_STATUS_RANKING]),
    OpenApiParameter("ordered_from", OpenApiTypes.DATE),
    OpenApiParameter("ordered_to", OpenApiTypes.DATE),
]
RUN_FILTERS = [
    OpenApiParameter("process", str, enum=list(PROCESSES)),
    OpenApiParameter("status", str, enum=RunStatus.values),
    OpenApiParameter("queued_from", OpenApiTypes.DATE),
    OpenApiParameter("queued_to", OpenApiTypes.DATE),
]


class SalesOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sales orders with their lines, statuses and dates; create (Entered) and book."""

    lookup_value_converter = "int"

    serializer_class = s.OrderSerializer
    permissions_by_action = {
        "list": ("orders.view_salesorder",),
        "retrieve": ("orders.view_salesorder",),
        "create": ("orders.add_salesorder",),
        "book": ("orders.book_salesorder",),
        "import_orders": ("orders.add_salesorder",),
    }

    def get_queryset(self):
        lines = SalesOrderLine.objects.select_related("item").order_by("line_number")
        orders = SalesOrder.objects.select_related(
            "business_unit", "customer", "warehouse", "created_by", "booked_by"
        ).prefetch_related(Prefetch("lines", queryset=lines))
        orders = scope_to_units(orders, self.request.user)
        if self.action == "list":
            # Manage Orders' own search (its form and its filter), so both find the same.
            search = OrderSearchForm(self.request.query_params, user=self.request.user)
            orders = OrderListView().filter_queryset(
                with_header_status(orders), valid_query(search)
            )
        return orders.order_by("-pk")

    @extend_schema(
        parameters=ORDER_FILTERS, responses=responses({200: s.OrderSerializer}, 400, 404)
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=responses({200: s.OrderSerializer}, 404))
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request=s.OrderCreateSerializer,
        responses=responses({201: s.OrderSerializer}, 400, 409),
    )
    def create(self, request):
        """Enter an order (Entered); book it with ``POST /api/orders/{id}/book/``."""
        entry = s.OrderCreateSerializer(data=request.data, context={"request": request})
        entry.is_valid(raise_exception=True)
        order = sales_order_create(
            actor=request.user, **OrderEntry.from_entry(entry.validated_data).as_arguments()
        )
        return Response(self._read(order.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=responses({200: s.OrderSerializer}, 404, 409))
    @action(detail=True, methods=["post"])
    def book(self, request, pk=None):
        """Book every Entered line (Oracle's Submit); Progress Order is queued at once."""
        order = self.get_object()
        sales_order_book(actor=request.user, sales_order=order)
        return Response(self._read(order.pk))

    @extend_schema(
        request=s.OrderImportSerializer,
        responses=responses(
            {
                201: OpenApiResponse(
                    s.OrderImportResultSerializer, description="At least one order was made."
                ),
                200: OpenApiResponse(
                    s.OrderImportResultSerializer, description="Every order was refused."
                ),
            },
            400,
        ),
    )
    @action(detail=False, methods=["post"], url_path="import", url_name="import")
    def import_orders(self, request):
        """Order Import: up to 500 orders at once (an EDI or API feed), each entered, and
        with ``book`` booked, by the rules of ``POST /api/orders/`` and its booking. A
        refused order is listed in ``failed`` with its index and errors; the others are
        made. Booking needs the permission to book (403)."""
        batch = s.OrderImportSerializer(data=request.data, context={"request": request})
        batch.is_valid(raise_exception=True)
        valid, failed = batch.entries()
        result = sales_orders_import(
            actor=request.user,
            entries=[OrderEntry.from_entry(data) for _index, data in valid],
            book=batch.validated_data["book"],
            positions=[index for index, _data in valid],
        )
        failed += [
            {"index": failure.index, "errors": {"detail": failure.message}}
            for failure in result.failed
        ]
        created = [
            {"index": made.index, "id": made.order.pk, "number": made.order.number}
            for made in result.created
        ]
        body = {"created": created, "failed": sorted(failed, key=lambda entry: entry["index"])}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _read(self, pk):
        order = get_object_or_404(self.get_queryset(), pk=pk)
        return self.get_serializer(order).data


class OrderLineViewSet(viewsets.GenericViewSet):
    """One sales order line: its Peg Trace, as its page shows it; a re-promise."""

    lookup_value_converter = "int"

    serializer_class = s.PegTraceSerializer
    permissions_by_action = {
        "peg_trace": tuple(TRACE_PERMISSIONS),
        "re_promise": ("orders.change_salesorderline",),
    }

    def get_queryset(self):
        lines = SalesOrderLine.objects.select_related("order__customer", "item")
        return scope_to_units(lines, self.request.user, "order__business_unit")

    @extend_schema(responses=responses({200: s.PegTraceSerializer}, 404))
    @action(detail=True, methods=["get"], url_path="peg-trace")
    def peg_trace(self, request, pk=None):
        trace = peg_trace(self.get_object())
        for _title, entries in trace.stages:
            for entry in entries:
                entry.url = viewable_url(request.user, entry.document)
        return Response(self.get_serializer(trace).data)

    @extend_schema(
        request=s.RepromiseSerializer,
        responses=responses({200: s.OrderLineSerializer}, 400, 404, 409),
    )
    @action(detail=True, methods=["post"], url_path="re-promise")
    def re_promise(self, request, pk=None):
        """A new scheduled ship date with the reason, as the Re-promise page; the line's
        jeopardy (``at_risk``, ``days_late``) follows at once."""
        entry = s.RepromiseSerializer(data=request.data)
        entry.is_valid(raise_exception=True)
        line = sales_order_line_repromise(
            actor=request.user, line=self.get_object(), **entry.validated_data
        )
        return Response(s.OrderLineSerializer(line, context={"request": request}).data)


class ProcessRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The run log as Scheduled Processes shows it, and a run queued now."""

    lookup_value_converter = "int"

    permissions_by_action = dict.fromkeys(
        ("list", "retrieve", "create"), ("processes.view_processrun",)
    )

    def get_serializer_class(self):
        return s.ProcessRunDetailSerializer if self.action == "retrieve" else s.ProcessRunSerializer

    def get_queryset(self):
        runs = runs_visible_to(self.request.user).select_related("requested_by")
        if self.action == "list":
            data = valid_query(RunFilterForm(self.request.query_params))
            runs = filter_by(
                runs,
                process=data["process"] or None,
                status=data["status"] or None,
                queued_at__date__gte=data["queued_from"],
                queued_at__date__lte=data["queued_to"],
            )
        return runs.order_by("-pk")

    @extend_schema(
        parameters=RUN_FILTERS, responses=responses({200: s.ProcessRunSerializer}, 400, 404)
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=responses({200: s.ProcessRunDetailSerializer}, 404))
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request=s.ProcessRunQueueSerializer,
        responses=responses({201: s.ProcessRunSerializer}, 400, 409),
    )
    def create(self, request):
        """Queue a run now, as Schedule New Process does; the registry says who may run
        which process (403 otherwise)."""
        entry = s.ProcessRunQueueSerializer(data=request.data, context={"request": request})
        entry.is_valid(raise_exception=True)
        run = process_run_queue(
            process=entry.validated_data["process"],
            parameters=entry.parameters(),
            requested_by=request.user,
        )
        return Response(s.ProcessRunSerializer(run).data, status=status.HTTP_201_CREATED)
