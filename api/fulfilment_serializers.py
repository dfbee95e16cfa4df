"""What the shipper's, AP's and AR's endpoints read and write: pick waves, shipments,
AP invoices with their open holds, AR invoices (docs/api.md). Lines are named by their ids,
as the reads show them; a document in a request by its number (or its id)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from b2b_portal.numbers import LARGEST_NUMBER, document_number
from catalog.models import BusinessUnit, Customer, Warehouse
from catalog.units import business_units_of
from invoicing.models import APInvoice, APInvoiceHold, APInvoiceLine, ARInvoice, ARInvoiceLine
from orders.models import SalesOrder
from procurement.models import PurchaseOrder
from shipping.models import PickWave, Shipment, ShipmentLine
from shipping.views import shipment_sales_order

from .serializers import MAX_LINES, MONEY, QUANTITY, UnitScopedSlugField, UsernameField

# PostgreSQL's integer: a larger id names no line.
LINE_ID = {"min_value": 1, "max_value": LARGEST_NUMBER}


@extend_schema_field(OpenApiTypes.STR)
class DocumentField(serializers.Field):
    """A document of the user's units by its number (``PO-000123``, ``123``: its id, so a
    JSON integer works too); another unit's is unknown, as in the pages' number fields."""

    def __init__(self, *, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        document = None
        if isinstance(data, str | int) and not isinstance(data, bool):
            number = document_number(str(data), self.model.number_prefix)
            units = business_units_of(self.context["request"].user)
            documents = self.model.objects.filter(business_unit__in=units)
            document = documents.filter(pk=number).first() if number is not None else None
        if document is None:
            name = self.model._meta.verbose_name
            raise ValidationError(f"There is no {name} {data} in your business units.")
        return document


def lines_named(lines, entries: list[dict], *, key: str, document) -> dict:
    """The lines (a queryset of ``document``'s) that ``entries`` name by id under ``key``;
    an id not of this document is a 400, line by line."""
    found = lines.in_bulk([entry[key] for entry in entries])
    unknown = {
        str(index): {key: [f"No line {entry[key]} on {document}."]}
        for index, entry in enumerate(entries)
        if entry[key] not in found
    }
    if unknown:
        raise ValidationError({"lines": unknown})
    return found


# --- Shipping ------------------------------------------------------------------------------


class ShipmentLineSerializer(serializers.ModelSerializer):
    sales_order_line = serializers.IntegerField(source="sales_order_line_id")
    line_number = serializers.IntegerField(source="sales_order_line.line_number")
    item = serializers.CharField(source="sales_order_line.item.number")
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = ShipmentLine
        fields = [
            "id",
            "sales_order_line",
            "line_number",
            "item",
            "quantity",
            "released_quantity",
            "status",
            "status_display",
        ]


class ShipmentSerializer(serializers.ModelSerializer):
    number = serializers.CharField()
    business_unit = serializers.CharField(source="business_unit.code")
    customer = serializers.CharField(source="customer.number")
    customer_name = serializers.CharField(source="customer.name")
    warehouse = serializers.CharField(source="warehouse.code")
    pick_wave = serializers.CharField(source="pick_wave.number")
    sales_order = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display")
    released_at = serializers.DateTimeField(source="created_at")
    shipped_by = UsernameField(allow_null=True)
    lines = ShipmentLineSerializer(many=True)

    class Meta:
        model = Shipment
        fields = [
            "id",
            "number",
            "business_unit",
            "customer",
            "customer_name",
            "warehouse",
            "pick_wave",
            "sales_order",
            "status",
            "status_display",
            "released_at",
            "waybill",
            "shipped_by",
            "shipped_at",
            "lines",
        ]

    def get_sales_order(self, shipment) -> str | None:
        return shipment_sales_order(shipment)


class PickWaveSerializer(serializers.ModelSerializer):
    number = serializers.CharField()
    business_unit = serializers.CharField(source="business_unit.code")
    warehouse = serializers.CharField(source="warehouse.code")
    released_by = UsernameField()
    released_at = serializers.DateTimeField(source="created_at")
    shipments = ShipmentSerializer(many=True)

    class Meta:
        model = PickWave
        fields = [
            "id",
            "number",
            "business_unit",
            "warehouse",
            "released_by",
            "released_at",
            "shipments",
        ]


class PickReleaseInputSerializer(serializers.Serializer):
    """Pick Release's criteria; left out, a criterion is "all"."""

    business_unit = UnitScopedSlugField(model=BusinessUnit, slug_field="code")
    warehouse = UnitScopedSlugField(model=Warehouse, slug_field="code")
    customer = UnitScopedSlugField(
        model=Customer, slug_field="number", required=False, allow_null=True, default=None
    )
    sales_order = DocumentField(
        model=SalesOrder, required=False, allow_null=True, default=None, help_text="SO-000123."
    )
    requested_by = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Lines requested by then."
    )


class ShipConfirmLineInputSerializer(serializers.Serializer):
    shipment_line = serializers.IntegerField(**LINE_ID, help_text="The shipment line's id.")
    quantity = serializers.DecimalField(**QUANTITY)


class ShipConfirmInputSerializer(serializers.Serializer):
    waybill = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    lines = ShipConfirmLineInputSerializer(
        many=True,
        required=False,
        max_length=MAX_LINES,
        help_text="Less than released on a line; a line left out ships all released.",
    )


# --- Invoices ------------------------------------------------------------------------------


class InvoiceSerializer(serializers.ModelSerializer):
    """What an AP and an AR invoice both show: status, dates and amounts (net, tax at each
    line's stored rate, and the total due, as the invoice pages)."""

    number = serializers.CharField()
    business_unit = serializers.CharField(source="business_unit.code")
    status_display = serializers.CharField(source="get_status_display")
    due_date = serializers.DateField()
    total_amount = serializers.DecimalField(**MONEY, help_text="Net of tax.")
    tax_amount = serializers.DecimalField(**MONEY, source="tax.tax_amount")
    total_due = serializers.DecimalField(**MONEY, source="tax.total")

    AMOUNTS = ["currency_code", "total_amount", "tax_amount", "total_due"]


class APInvoiceLineSerializer(serializers.ModelSerializer):
    purchase_order_line = serializers.IntegerField(source="purchase_order_line_id")
    line_number = serializers.IntegerField(source="purchase_order_line.line_number")
    item = serializers.CharField(source="purchase_order_line.item.number")
    amount = serializers.DecimalField(**MONEY)

    class Meta:
        model = APInvoiceLine
        fields = [
            "id",
            "purchase_order_line",
            "line_number",
            "item",
            "quantity",
            "unit_price",
            "amount",
            "tax_rate",
        ]


class APInvoiceHoldSerializer(serializers.ModelSerializer):
    reason_display = serializers.CharField(source="get_reason_display")
    invoice_line = serializers.IntegerField(source="invoice_line_id", allow_null=True)
    placed_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = APInvoiceHold
        fields = ["id", "reason", "reason_display", "message", "invoice_line", "placed_at"]


class APInvoiceSerializer(InvoiceSerializer):
    supplier = serializers.CharField(source="supplier.number")
    supplier_name = serializers.CharField(source="supplier.name")
    purchase_order = serializers.CharField(source="purchase_order.number")
    created_by = UsernameField()
    lines = APInvoiceLineSerializer(many=True)
    holds = APInvoiceHoldSerializer(many=True, source="open_holds", help_text="The open ones.")

    class Meta:
        model = APInvoice
        fields = [
            "id",
            "number",
            "business_unit",
            "supplier",
            "supplier_name",
            "supplier_invoice_number",
            "purchase_order",
            "status",
            "status_display",
            "invoice_date",
            "due_date",
            *InvoiceSerializer.AMOUNTS,
            "created_by",
            "validated_at",
            "paid_at",
            "lines",
            "holds",
        ]


class APInvoiceLineInputSerializer(serializers.Serializer):
    purchase_order_line = serializers.IntegerField(**LINE_ID, help_text="The PO line's id.")
    quantity = serializers.DecimalField(**QUANTITY)
    unit_price = serializers.DecimalField(
        **MONEY, required=False, allow_null=True, default=None, help_text="Empty: the PO price."
    )


class APInvoiceCreateSerializer(serializers.Serializer):
    purchase_order = DocumentField(model=PurchaseOrder, help_text="PO-000123.")
    supplier_invoice_number = serializers.CharField(max_length=60)
    invoice_date = serializers.DateField()
    lines = APInvoiceLineInputSerializer(many=True, min_length=1, max_length=MAX_LINES)


class ARInvoiceLineSerializer(serializers.ModelSerializer):
    sales_order_line = serializers.IntegerField(source="sales_order_line_id")
    line_number = serializers.IntegerField(source="sales_order_line.line_number")
    item = serializers.CharField(source="sales_order_line.item.number")
    shipment = serializers.CharField(source="shipment_line.shipment.number")
    amount = serializers.DecimalField(**MONEY)

    class Meta:
        model = ARInvoiceLine
        fields = [
            "id",
            "sales_order_line",
            "line_number",
            "item",
            "shipment",
            "quantity",
            "unit_price",
            "amount",
            "tax_rate",
            "is_cancelled",
        ]


class ARInvoiceSerializer(InvoiceSerializer):
    customer = serializers.CharField(source="customer.number")
    customer_name = serializers.CharField(source="customer.name")
    sales_order = serializers.CharField(source="sales_order.number")
    completed_by = UsernameField(allow_null=True)
    lines = ARInvoiceLineSerializer(many=True)

    class Meta:
        model = ARInvoice
        fields = [
            "id",
            "number",
            "business_unit",
            "customer",
            "customer_name",
            "sales_order",
            "status",
            "status_display",
            "invoice_date",
            "due_date",
            *InvoiceSerializer.AMOUNTS,
            "completed_by",
            "completed_at",
            "lines",
        ]
