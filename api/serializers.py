"""What the API reads and writes. Money and quantities are decimal strings (DRF's
``COERCE_DECIMAL_TO_STRING``); documents are named by their numbers (``SO-000123``) and
master data by its codes, as users see them."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import BusinessUnit, Customer, Item, Supplier, Warehouse
from catalog.units import business_units_of
from orders.models import LineStatus, SalesOrder, SalesOrderLine
from processes.models import ProcessRun, ProcessRunEvent, ProcessRunFailure
from processes.registry import PROCESSES
from processes.templatetags.runs import EVENTS_SHOWN

MAX_LINES = 200
MAX_IMPORT_ORDERS = 500
# The serializer context's rows already read by code, per model (``UnitScopedSlugField``).
FOUND = "found_by_code"
QUANTITY = {"max_digits": 14, "decimal_places": 3}
MONEY = {"max_digits": 14, "decimal_places": 2}


@extend_schema_field(OpenApiTypes.STR)
class UnitScopedSlugField(serializers.SlugRelatedField):
    """A code or number among the rows of the requesting user's business units: another
    unit's customer or item is unknown here, as it is in the order form's choices."""

    def __init__(self, *, model, slug_field, unit_path="business_unit", **kwargs):
        self.model, self.unit_path = model, unit_path
        super().__init__(slug_field=slug_field, **kwargs)

    def to_internal_value(self, data):
        # PostgreSQL text cannot hold NUL: refused here as DRF's CharField does, not a 500.
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError("Null characters are not allowed.")
        found = self.context.get(FOUND, {}).get(self.model)
        if found is None or not isinstance(data, str):
            return super().to_internal_value(data)
        if data not in found:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return found[data]

    def get_queryset(self):
        units = business_units_of(self.context["request"].user)
        if self.model is BusinessUnit:
            return units
        return self.model.objects.filter(**{f"{self.unit_path}__in": units})


@extend_schema_field(OpenApiTypes.STR)
class UsernameField(serializers.Field):
    """A user as their username; empty for the system (a schedule, the worker)."""

    def to_representation(self, value):
        return value.get_username() if value is not None else None


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


# --- Sales orders --------------------------------------------------------------------------


class OrderLineSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.number")
    item_description = serializers.CharField(source="item.description")
    status_display = serializers.CharField(source="get_status_display")
    amount = serializers.DecimalField(**MONEY)
    peg_trace = serializers.SerializerMethodField()

    class Meta:
        model = SalesOrderLine
        fields = [
            "id",
            "line_number",
            "item",
            "item_description",
            "quantity",
            "unit_selling_price",
            "amount",
            "requested_date",
            "scheduled_ship_date",
            "status",
            "status_display",
            "at_risk",
            "days_late",
            "reserved_quantity",
            "shipped_quantity",
            "invoiced_quantity",
            "cancel_reason",
            "split_from",
            "peg_trace",
        ]

    def get_peg_trace(self, line) -> str:
        url = reverse("api:order-line-peg-trace", args=[line.pk])
        return self.context["request"].build_absolute_uri(url)


class OrderSerializer(serializers.ModelSerializer):
    number = serializers.CharField()
    business_unit = serializers.CharField(source="business_unit.code")
    customer = serializers.CharField(source="customer.number")
    customer_name = serializers.CharField(source="customer.name")
    warehouse = serializers.CharField(source="warehouse.code")
    status = serializers.ChoiceField(
        choices=LineStatus.choices, help_text="Its least advanced live line's status."
    )
    status_display = serializers.CharField(source="get_status_display")
    total_amount = serializers.DecimalField(**MONEY)
    created_by = UsernameField()
    booked_by = UsernameField(allow_null=True)
    lines = OrderLineSerializer(many=True)

    class Meta:
        model = SalesOrder
        fields = [
            "id",
            "number",
            "business_unit",
            "customer",
            "customer_name",
            "customer_po_number",
            "warehouse",
            "currency_code",
            "ordered_date",
            "requested_date",
            "status",
            "status_display",
            "total_amount",
            "created_by",
            "created_at",
            "booked_by",
            "booked_at",
            "lines",
        ]


class RepromiseSerializer(serializers.Serializer):
    scheduled_ship_date = serializers.DateField()
    reason = serializers.CharField(max_length=240)


class OrderLineInputSerializer(serializers.Serializer):
    item = UnitScopedSlugField(model=Item, slug_field="number")
    quantity = serializers.DecimalField(**QUANTITY)
    unit_selling_price = serializers.DecimalField(
        **MONEY, required=False, allow_null=True, help_text="Empty: the item's list price."
    )


class OrderCreateSerializer(serializers.Serializer):
    business_unit = UnitScopedSlugField(model=BusinessUnit, slug_field="code")
    customer = UnitScopedSlugField(model=Customer, slug_field="number")
    warehouse = UnitScopedSlugField(model=Warehouse, slug_field="code")
    requested_date = serializers.DateField()
    customer_po_number = serializers.CharField(max_length=50, required=False, default="")
    lines = OrderLineInputSerializer(many=True, min_length=1, max_length=MAX_LINES)


@extend_schema_field(OrderCreateSerializer(many=True))
class OrderEntriesField(serializers.ListField):
    """The orders of an import, each an object checked later on its own (``entries``): one
    order's wrong field refuses that order, not the batch."""

    child = serializers.DictField()


class OrderImportSerializer(serializers.Serializer):
    book = serializers.BooleanField(default=False, help_text="Book every order imported.")
    orders = OrderEntriesField(
        min_length=1, max_length=MAX_IMPORT_ORDERS, help_text="Each as POST /api/orders/ takes it."
    )

    def entries(self) -> tuple[list[tuple[int, dict]], list[dict]]:
        """Each order checked as ``POST /api/orders/`` checks it: the valid ones' data with
        their index, and ``{index, errors}`` of the others."""
        orders = self.validated_data["orders"]
        context = {**self.context, FOUND: _found_by_code(orders, self.context)}
        valid, failed = [], []
        for index, order in enumerate(orders):
            entry = OrderCreateSerializer(data=order, context=context)
            if entry.is_valid():
                valid.append((index, entry.validated_data))
            else:
                failed.append({"index": index, "errors": entry.errors})
        return valid, failed


def _found_by_code(orders: list[dict], context: dict) -> dict:
    """The units, customers, warehouses and items the orders name, read one query a model
    for the whole batch (as their fields would, within the user's units): checking 500
    orders field by field read them 2,000 times."""
    fields = OrderCreateSerializer(context=context).fields
    scoped = {name: fields[name] for name in ("business_unit", "customer", "warehouse")}
    scoped["item"] = fields["lines"].child.fields["item"]
    codes = {name: set() for name in scoped}
    for order in orders:
        for name in ("business_unit", "customer", "warehouse"):
            codes[name].add(order.get(name))
        lines = order.get("lines")
        for line in lines if isinstance(lines, list) else ():
            codes["item"].add(line.get("item") if isinstance(line, dict) else None)
    found = {}
    for name, field in scoped.items():
        wanted = [code for code in codes[name] if isinstance(code, str) and "\x00" not in code]
        rows = field.get_queryset().filter(**{f"{field.slug_field}__in": wanted})
        found[field.model] = {getattr(row, field.slug_field): row for row in rows}
    return found


class ImportedOrderSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    id = serializers.IntegerField()
    number = serializers.CharField()


class ImportFailureSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    errors = serializers.DictField(
        help_text="The order's field errors as POST /api/orders/ gives them, or ``detail``: "
        "the business rule that refused it."
    )


class OrderImportResultSerializer(serializers.Serializer):
    created = ImportedOrderSerializer(many=True)
    failed = ImportFailureSerializer(many=True)


# --- The Peg Trace -----------------------------------------------------------------------


@extend_schema_field({"type": ["string", "null"], "description": "ISO date or date-time"})
class IsoDateField(serializers.Field):
    def to_representation(self, value):
        return value.isoformat() if value is not None else None


class TraceDateSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = IsoDateField()

    def to_representation(self, instance):
        label, value = instance
        return super().to_representation({"label": label, "value": value})


class TraceHistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="history_date")
    by = UsernameField(source="history_user", allow_null=True)
    reason = serializers.CharField(source="history_change_reason", allow_null=True)


class TraceEntrySerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    quantity = serializers.DecimalField(**QUANTITY, allow_null=True)
    dates = TraceDateSerializer(many=True)
    note = serializers.CharField()
    url = serializers.CharField(allow_null=True, help_text="The document's portal page.")
    history = TraceHistorySerializer(many=True)


class TraceStageSerializer(serializers.Serializer):
    title = serializers.CharField()
    documents = TraceEntrySerializer(many=True)

    def to_representation(self, instance):
        title, entries = instance
        return super().to_representation({"title": title, "documents": entries})


class StatusPeriodSerializer(serializers.Serializer):
    status = serializers.CharField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    moved_by = UsernameField(allow_null=True)
    reason = serializers.CharField()


class PegTraceSerializer(serializers.Serializer):
    line = serializers.IntegerField(source="line.pk")
    order = serializers.CharField(source="line.order.number")
    line_number = serializers.IntegerField(source="line.line_number")
    stages = TraceStageSerializer(many=True)
    periods = StatusPeriodSerializer(many=True)


# --- Process runs ------------------------------------------------------------------------


class ProcessRunSerializer(serializers.ModelSerializer):
    process_name = serializers.CharField(source="get_process_display")
    requested_by = UsernameField(allow_null=True)
    parameters = serializers.DictField()

    class Meta:
        model = ProcessRun
        fields = [
            "id",
            "process",
            "process_name",
            "status",
            "trigger",
            "parameters",
            "requested_by",
            "schedule_name",
            "queued_at",
            "dispatched_at",
            "started_at",
            "finished_at",
            "lines_total",
            "lines_done",
            "documents_made",
            "lines_failed",
            "error",
            "cancel_reason",
            "retry",
        ]


class RunEventSerializer(serializers.ModelSerializer):
    actor = UsernameField(allow_null=True)

    class Meta:
        model = ProcessRunEvent
        fields = ["kind", "at", "actor", "lines", "documents", "failures", "note"]


class RunFailureSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcessRunFailure
        fields = ["source", "source_id", "reason", "recorded_at"]


class ProcessRunDetailSerializer(ProcessRunSerializer):
    events = serializers.SerializerMethodField()
    failures = serializers.SerializerMethodField()

    class Meta(ProcessRunSerializer.Meta):
        fields = [*ProcessRunSerializer.Meta.fields, "events", "failures"]

    @extend_schema_field(RunEventSerializer(many=True))
    def get_events(self, run) -> list[dict]:
        # The run page's timeline: oldest first, the first EVENTS_SHOWN.
        events = run.events.select_related("actor").order_by("at", "pk")[:EVENTS_SHOWN]
        return RunEventSerializer(events, many=True).data

    @extend_schema_field(RunFailureSerializer(many=True))
    def get_failures(self, run) -> list[dict]:
        # As the run's page: the first 500; lines_failed says how many there are.
        return RunFailureSerializer(run.failures.all()[:500], many=True).data


class ProcessRunQueueSerializer(serializers.Serializer):
    """A run queued now; the parameters a process does not take are refused, as on
    Schedule New Process. Empty business unit: every unit (administrators only)."""

    process = serializers.ChoiceField(choices=list(PROCESSES))
    business_unit = UnitScopedSlugField(model=BusinessUnit, slug_field="code", required=False)
    sales_order = serializers.IntegerField(required=False, min_value=1, help_text="Its id.")
    item = UnitScopedSlugField(model=Item, slug_field="number", required=False)
    supplier = serializers.SlugRelatedField(
        slug_field="number", queryset=Supplier.objects.filter(active=True), required=False
    )
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    batch_size = serializers.IntegerField(min_value=1, max_value=5000, default=500)

    def validate(self, data):
        definition = PROCESSES[data["process"]]
        errors = {
            name: f"Does not apply to {definition.name}."
            for name in data
            if name != "process" and name not in definition.parameters
        }
        if errors:
            raise serializers.ValidationError(errors)
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": "The end date is before the start date."})
        order = data.get("sales_order")
        if order is not None and not self._order_in_units(order):
            raise serializers.ValidationError(
                {"sales_order": f"There is no sales order {order} in your units."}
            )
        return data

    def _order_in_units(self, order_id: int) -> bool:
        units = business_units_of(self.context["request"].user)
        return SalesOrder.objects.filter(pk=order_id, business_unit__in=units).exists()

    def parameters(self) -> dict:
        """As the run stores them: ids and ISO dates."""
        data = self.validated_data
        objects = {name: value.pk for name, value in data.items() if hasattr(value, "pk")}
        dates = {name: data[name].isoformat() for name in ("date_from", "date_to") if name in data}
        plain = {name: data[name] for name in ("sales_order", "batch_size") if name in data}
        return {**objects, **dates, **plain}
