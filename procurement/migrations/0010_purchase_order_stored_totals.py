from decimal import Decimal

from django.db import migrations, models
from django.db.models import Count, ExpressionWrapper, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round

import b2b_portal.fields


def store_totals(apps, schema_editor):
    """Every PO's totals from its lines not cancelled, each line's amount rounded to the
    cent, as ``procurement.totals`` kept them when this was written: written out here, so
    that a later change there does not change what this migration computes."""
    PurchaseOrder = apps.get_model("procurement", "PurchaseOrder")
    PurchaseOrderLine = apps.get_model("procurement", "PurchaseOrderLine")
    amount = models.DecimalField(max_digits=28, decimal_places=5)
    live = (
        PurchaseOrderLine.objects.filter(purchase_order=OuterRef("pk"))
        .exclude(status="CANCELLED")
        .order_by()
        .values("purchase_order")
    )
    line_amount = Round(ExpressionWrapper(F("quantity") * F("unit_price"), amount), 2)
    PurchaseOrder.objects.update(
        lines_total=Coalesce(
            Subquery(live.annotate(value=Sum(line_amount, output_field=amount)).values("value")),
            Value(Decimal(0)),
            output_field=amount,
        ),
        line_count=Coalesce(Subquery(live.annotate(value=Count("pk")).values("value")), 0),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0009_history_indexed_where_read"),
    ]

    operations = [
        migrations.AddField(
            model_name="purchaseorder",
            name="line_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="purchaseorder",
            name="lines_total",
            field=b2b_portal.fields.MoneyField(
                decimal_places=2, default=Decimal("0"), editable=False, max_digits=18
            ),
        ),
        migrations.RunPython(store_totals, migrations.RunPython.noop),
    ]
