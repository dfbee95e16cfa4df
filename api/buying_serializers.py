"""What the buyer's and the receiver's endpoints read and write (docs/api.md, "For buyers"
and "For receivers"): purchase orders with their pegged lines, ship notices to receive and
receipts. Lines are named by their ids, as the reads show them."""

from datetime import date

from rest_framework import serializers

from catalog.units import scope_to_units
from procurement.forms import REJECTION_REASON_REQUIRED
from procurement.models import PurchaseOrder
from procurement.services.jeopardy import supply_expected_dates
from suppliers.models import ShipNotice

from .serializers import MAX_LINES, MONEY, QUANTITY, UsernameField

# PostgreSQL's integer: a larger id names nothing (and must not reach the database).
MAX_ID = 2**31 - 1


class PurchaseOrderLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    line_number = serializers.IntegerField()
    item = serializers.CharField(source="item.number")
    item_description = serializers.CharField(source="item.description")
    quantity = serializers.DecimalField(**QUANTITY)
    unit_price = serializers.DecimalField(**MONEY)
    amount = serializers.DecimalField(**MONEY)
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    promised_date = serializers.DateField()
    expected_date = serializers.SerializerMethodField(
        help_text="The supplier's latest word (acknowledged date, ship notice), else promised."
    )
    received_quantity = serializers.DecimalField(**QUANTITY)
    billed_quantity = serializers.DecimalField(**QUANTITY)
    sales_order_line = serializers.IntegerField(
        source="sales_order_line_id", allow_null=True, help_text="The peg; empty once unpegged."
    )
    sales_order = serializers.CharField(
        source="sales_order_line.order.number", allow_null=True, default=None
    )
    cancel_reason = serializers.CharField()

    def get_expected_date(self, po_line) -> date:
        return supply_expected_dates([po_line])[po_line.pk]


class PurchaseOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    business_unit = serializers.CharField(source="business_unit.code")
    supplier = serializers.CharField(source="supplier.number")
    supplier_name = serializers.CharField(source="supplier.name")
    supplier_site = serializers.CharField(source="supplier_site.code")
    ship_to = serializers.CharField(source="ship_to_warehouse.code")
    currency_code = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    buyer = UsernameField()
    total_amount = serializers.DecimalField(**MONEY, help_text="Its live lines' amounts.")
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    approved_by = UsernameField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    rejection_reason = serializers.CharField()
    supplier_note = serializers.CharField()
    lines = PurchaseOrderLineSerializer(many=True, source="lines.all")


class RejectInputSerializer(serializers.Serializer):
    messages = {"required": REJECTION_REASON_REQUIRED, "blank": REJECTION_REASON_REQUIRED}
    reason = serializers.CharField(max_length=240, error_messages=messages)


# --- Ship notices and receipts ------------------------------------------------------------


class ExpectedShipNoticeLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    purchase_order_line = serializers.IntegerField(source="purchase_order_line_id")
    line_number = serializers.IntegerField(source="purchase_order_line.line_number")
    item = serializers.CharField(source="purchase_order_line.item.number")
    quantity = serializers.DecimalField(**QUANTITY)


class ExpectedShipNoticeSerializer(serializers.ModelSerializer):
    number = serializers.CharField()
    business_unit = serializers.CharField(source="business_unit.code")
    supplier = serializers.CharField(source="purchase_order.supplier.number")
    purchase_order = serializers.CharField(source="purchase_order.number")
    purchase_order_id = serializers.IntegerField()
    ship_to = serializers.CharField(source="purchase_order.ship_to_warehouse.code")
    status_display = serializers.CharField(source="get_status_display")
    sent_by = UsernameField()
    receipt = serializers.CharField(source="receipt.number", allow_null=True, default=None)
    receipt_id = serializers.IntegerField(allow_null=True)
    lines = ExpectedShipNoticeLineSerializer(many=True, source="lines.all")

    class Meta:
        model = ShipNotice
        fields = [
            "id",
            "number",
            "business_unit",
            "supplier",
            "purchase_order",
            "purchase_order_id",
            "ship_to",
            "status",
            "status_display",
            "ship_date",
            "expected_arrival",
            "carrier",
            "tracking_number",
            "sent_by",
            "receipt",
            "receipt_id",
            "lines",
        ]


class ReceiptLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    purchase_order_line = serializers.IntegerField(source="purchase_order_line_id")
    line_number = serializers.IntegerField(source="purchase_order_line.line_number")
    item = serializers.CharField(source="purchase_order_line.item.number")
    quantity = serializers.DecimalField(**QUANTITY)
    reserved_quantity = serializers.DecimalField(
        **QUANTITY, help_text="Reserved for the pegged sales order line."
    )
    sales_order_line = serializers.IntegerField(source="sales_order_line_id", allow_null=True)
    sales_order = serializers.CharField(
        source="sales_order_line.order.number", allow_null=True, default=None
    )


class ReceiptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    business_unit = serializers.CharField(source="business_unit.code")
    purchase_order = serializers.CharField(source="purchase_order.number")
    purchase_order_id = serializers.IntegerField()
    supplier = serializers.CharField(source="purchase_order.supplier.number")
    warehouse = serializers.CharField(source="warehouse.code")
    received_at = serializers.DateTimeField()
    received_by = UsernameField()
    packing_slip = serializers.CharField()
    ship_notice = serializers.CharField(
        source="ship_notice.number",
        allow_null=True,
        default=None,
        help_text="If received from one.",
    )
    lines = ReceiptLineSerializer(many=True, source="lines.all")


# --- input ---------------------------------------------------------------------------------


class ReceiveLineInputSerializer(serializers.Serializer):
    ship_notice_line = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.DecimalField(
        **QUANTITY, min_value=0, help_text="What arrived of it; 0: none."
    )


class ShipNoticeReceiveInputSerializer(serializers.Serializer):
    packing_slip = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    lines = ReceiveLineInputSerializer(
        many=True,
        required=False,
        default=list,
        max_length=MAX_LINES,
        help_text="The lines of which another quantity arrived; the others arrived in full.",
    )


class ReceiptLineInputSerializer(serializers.Serializer):
    purchase_order_line = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.DecimalField(**QUANTITY)


class ReceiptCreateSerializer(serializers.Serializer):
    purchase_order = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Its id.")
    packing_slip = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    lines = ReceiptLineInputSerializer(many=True, min_length=1, max_length=MAX_LINES)

    def validate_purchase_order(self, value: int) -> PurchaseOrder:
        """A PO of the user's units, as the receipt entry's page finds it (else 400)."""
        purchase_orders = scope_to_units(PurchaseOrder.objects.all(), self.context["request"].user)
        purchase_order = purchase_orders.filter(pk=value).first()
        if purchase_order is None:
            raise serializers.ValidationError(f"There is no purchase order {value} in your units.")
        return purchase_order
