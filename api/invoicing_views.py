"""The AP and AR accountants' endpoints: AP invoices entered against a PO and validated
(holds in the answer), AR invoices (made by Import AutoInvoice) completed, through the
invoicing services with the invoice pages' permissions and unit scoping (another unit's
invoice is a 404). See docs/api.md, "Payables" and "Receivables"."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog.units import scope_to_units
from invoicing.forms import APInvoiceSearchForm, ARInvoiceSearchForm
from invoicing.models import (
    APInvoice,
    APInvoiceHold,
    APInvoiceLine,
    APStatus,
    ARInvoice,
    ARInvoiceLine,
    ARStatus,
)
from invoicing.services import (
    APLineInput,
    ap_invoice_create,
    ap_invoice_validate,
    ar_invoice_complete,
)
from invoicing.views import APInvoiceListView, ARInvoiceListView

from . import fulfilment_serializers as s
from .list_filters import api_search_form, page_search, search_parameters
from .supplier_views import ID
from .views import responses

APSearchForm = api_search_form(APInvoiceSearchForm, prefix="AP", party="supplier")
ARSearchForm = api_search_form(ARInvoiceSearchForm, prefix="AR", party="customer")
AP_FILTERS = search_parameters(
    prefix="AP",
    q="An AP, PO or supplier invoice number",
    party="supplier",
    statuses=APStatus.values,
)
AR_FILTERS = search_parameters(
    prefix="AR",
    q="An AR or sales order number, or part of the customer's name",
    party="customer",
    statuses=ARStatus.values,
)


class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Invoices of the user's units, searched as the invoice list page (``page``,
    ``search_form``); ``_read`` answers a write with the invoice read again."""

    lookup_value_converter = "int"
    page: type
    search_form: type

    def invoices(self):
        raise NotImplementedError

    def get_queryset(self):
        found = scope_to_units(self.invoices(), self.request.user)
        if self.action == "list":
            search = self.search_form(self.request.query_params, user=self.request.user)
            found = page_search(self.page, found, search)
        return found.order_by("-pk")

    def _read(self, pk, code=status.HTTP_200_OK):
        invoice = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(self.get_serializer(invoice).data, status=code)


class APInvoiceViewSet(InvoiceViewSet):
    """AP invoices with their lines and open holds; Create Invoice against a PO; Validate."""

    serializer_class = s.APInvoiceSerializer
    page, search_form = APInvoiceListView, APSearchForm
    permissions_by_action = {
        "list": ("invoicing.view_apinvoice",),
        "retrieve": ("invoicing.view_apinvoice",),
        "create": ("invoicing.add_apinvoice",),
        "validate": ("invoicing.validate_apinvoice",),
    }

    def invoices(self):
        lines = APInvoiceLine.objects.select_related("purchase_order_line__item").order_by("pk")
        holds = APInvoiceHold.objects.filter(released_at__isnull=True).order_by("pk")
        return APInvoice.objects.select_related(
            "business_unit", "supplier", "purchase_order", "created_by"
        ).prefetch_related(
            Prefetch("lines", queryset=lines),
            Prefetch("holds", queryset=holds, to_attr="open_holds"),
        )

    @extend_schema(
        parameters=AP_FILTERS, responses=responses({200: s.APInvoiceSerializer}, 400, 404)
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[ID], responses=responses({200: s.APInvoiceSerializer}, 404))
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request=s.APInvoiceCreateSerializer,
        responses=responses({201: s.APInvoiceSerializer}, 400, 409),
    )
    def create(self, request):
        """Enter the supplier's invoice against an approved PO (Draft), as Create Invoice;
        an empty unit price is the PO price."""
        entry = s.APInvoiceCreateSerializer(data=request.data, context={"request": request})
        entry.is_valid(raise_exception=True)
        data = entry.validated_data
        purchase_order = data["purchase_order"]
        po_lines = s.lines_named(
            purchase_order.lines,
            data["lines"],
            key="purchase_order_line",
            document=purchase_order,
        )
        invoice = ap_invoice_create(
            actor=request.user,
            purchase_order=purchase_order,
            supplier_invoice_number=data["supplier_invoice_number"],
            invoice_date=data["invoice_date"],
            lines=[
                APLineInput(
                    purchase_order_line=po_lines[line["purchase_order_line"]],
                    quantity=line["quantity"],
                    unit_price=line["unit_price"],
                )
                for line in data["lines"]
            ],
        )
        return self._read(invoice.pk, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ID], request=None, responses=responses({200: s.APInvoiceSerializer}, 404, 409)
    )
    @action(detail=True, methods=["post"])
    def validate(self, request, pk=None):
        """Match the invoice to its PO and receipts: Validated, or On Hold with its holds."""
        invoice = ap_invoice_validate(actor=request.user, invoice=self.get_object())
        return self._read(invoice.pk)


class ARInvoiceViewSet(InvoiceViewSet):
    """AR invoices with their lines; Complete."""

    serializer_class = s.ARInvoiceSerializer
    page, search_form = ARInvoiceListView, ARSearchForm
    permissions_by_action = {
        "list": ("invoicing.view_arinvoice",),
        "retrieve": ("invoicing.view_arinvoice",),
        "complete": ("invoicing.complete_arinvoice",),
    }

    def invoices(self):
        lines = ARInvoiceLine.objects.select_related(
            "sales_order_line__item", "shipment_line__shipment"
        ).order_by("pk")
        return ARInvoice.objects.select_related(
            "business_unit", "customer", "sales_order", "completed_by"
        ).prefetch_related(Prefetch("lines", queryset=lines))

    @extend_schema(
        parameters=AR_FILTERS, responses=responses({200: s.ARInvoiceSerializer}, 400, 404)
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[ID], responses=responses({200: s.ARInvoiceSerializer}, 404))
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        parameters=[ID], request=None, responses=responses({200: s.ARInvoiceSerializer}, 404, 409)
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The customer's invoice is final and its sales order lines close."""
        invoice = ar_invoice_complete(actor=request.user, invoice=self.get_object())
        return self._read(invoice.pk)
