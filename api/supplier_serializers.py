"""What the supplier endpoints read and write (docs/api.md, "For suppliers"): their POs
with each line's promised and expected date, acknowledgements, ship notices and invoices.
Lines are named by their ids (as ``GET /api/supplier/purchase-orders/{id}/`` shows them)."""

from rest_framework import serializers

from suppliers.models import AcknowledgementKind, LineAcknowledgement, ShipNotice

from .serializers import MAX_LINES, MONEY, QUANTITY, UsernameField


class AcknowledgementSerializer(serializers.ModelSerializer):
    purchase_order = serializers.CharField(source="purchase_order.number")
    line = serializers.IntegerField(source="purchase_order_line_id")
    kind_display = serializers.CharField(source="get_kind_display")
    acknowledged_by = UsernameField()
    acknowledged_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = LineAcknowledgement
        fields = [
            "id",
            "purchase_order",
            "line",
            "kind",
            "kind_display",
            "promised_date",
            "backordered_quantity",
            "reason",
            "acknowledged_by",
            "acknowledged_at",
        ]


class SupplierLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    line_number = serializers.IntegerField()
    item = serializers.CharField(source="item.number")
    item_description = serializers.CharField(source="item.description")
    quantity = serializers.DecimalField(**QUANTITY)
    unit_price = serializers.DecimalField(**MONEY)
    promised_date = serializers.DateField()
    expected_date = serializers.DateField(
        source="expected",
        help_text="When the supplier's goods are expected (docs/supplier-collaboration.md).",
    )
    received_quantity = serializers.DecimalField(**QUANTITY)
    open_quantity = serializers.DecimalField(**QUANTITY)
    in_transit_quantity = serializers.DecimalField(**QUANTITY, source="in_transit")
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    acknowledgement = AcknowledgementSerializer(
        source="last_acknowledgement", allow_null=True, help_text="The latest, if any."
    )


class ShipNoticeLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(source="purchase_order_line_id")
    quantity = serializers.DecimalField(**QUANTITY)
    received_quantity = serializers.DecimalField(**QUANTITY)


class ShipNoticeSerializer(serializers.ModelSerializer):
    number = serializers.CharField()
    purchase_order = serializers.CharField(source="purchase_order.number")
    status_display = serializers.CharField(source="get_status_display")
    sent_by = UsernameField()
    receipt = serializers.CharField(source="receipt.number", allow_null=True, default=None)
    lines = ShipNoticeLineSerializer(many=True)

    class Meta:
        model = ShipNotice
        fields = [
            "id",
            "number",
            "purchase_order",
            "status",
            "status_display",
            "ship_date",
            "expected_arrival",
            "carrier",
            "tracking_number",
            "sent_by",
            "receipt",
            "lines",
        ]


class SupplierInvoiceLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(source="purchase_order_line_id")
    quantity = serializers.DecimalField(**QUANTITY)
    unit_price = serializers.DecimalField(**MONEY)
    amount = serializers.DecimalField(**MONEY)


class SupplierInvoiceSerializer(serializers.Serializer):
    supplier_invoice_number = serializers.CharField(source="ap_invoice.supplier_invoice_number")
    ap_invoice = serializers.CharField(source="ap_invoice.number")
    purchase_order = serializers.CharField(source="purchase_order.number")
    status = serializers.CharField(source="ap_invoice.status")
    status_display = serializers.CharField(source="ap_invoice.get_status_display")
    invoice_date = serializers.DateField(source="ap_invoice.invoice_date")
    currency_code = serializers.CharField(source="ap_invoice.currency_code")
    total_amount = serializers.DecimalField(**MONEY, source="ap_invoice.total_amount")
    entered_by = UsernameField()
    lines = SupplierInvoiceLineSerializer(many=True, source="ap_invoice.lines.all")


class SupplierPurchaseOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    business_unit = serializers.CharField(source="business_unit.code")
    ship_to = serializers.CharField(source="ship_to_warehouse.code")
    currency_code = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    approved_at = serializers.DateTimeField()
    supplier_note = serializers.CharField()
    lines = SupplierLineSerializer(many=True, source="supplier_lines")
    ship_notices = ShipNoticeSerializer(many=True, source="ship_notices.all")


# --- input ---------------------------------------------------------------------------------

LINE_ID = {"min_value": 1, "help_text": "The PO line's id."}


class AcknowledgeInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AcknowledgementKind.choices)
    promised_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="NEW_DATE and BACKORDER."
    )
    backordered_quantity = serializers.DecimalField(
        **QUANTITY, required=False, allow_null=True, default=None, help_text="BACKORDER."
    )
    reason = serializers.CharField(
        max_length=240, required=False, allow_blank=True, default="", help_text="REJECTED."
    )


class ShipNoticeLineInputSerializer(serializers.Serializer):
    line = serializers.IntegerField(**LINE_ID)
    quantity = serializers.DecimalField(**QUANTITY)


class ShipNoticeInputSerializer(serializers.Serializer):
    ship_date = serializers.DateField()
    expected_arrival = serializers.DateField()
    carrier = serializers.CharField(max_length=80)
    tracking_number = serializers.CharField(max_length=80)
    lines = ShipNoticeLineInputSerializer(many=True, min_length=1, max_length=MAX_LINES)


class InvoiceLineInputSerializer(serializers.Serializer):
    line = serializers.IntegerField(**LINE_ID)
    quantity = serializers.DecimalField(**QUANTITY)
    unit_price = serializers.DecimalField(
        **MONEY, required=False, allow_null=True, default=None, help_text="Empty: the PO price."
    )


class InvoiceInputSerializer(serializers.Serializer):
    supplier_invoice_number = serializers.CharField(max_length=60)
    invoice_date = serializers.DateField()
    lines = InvoiceLineInputSerializer(many=True, min_length=1, max_length=MAX_LINES)
