from decimal import Decimal

import django.core.validators
from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

import b2b_portal.fields


def store_totals(apps, schema_editor):
    """Every receipt's totals from its lines, as ``receipt_create`` writes them: written
    out here, not imported from ``receiving.totals``, so that a later change there does
    not change what this migration computes."""
    Receipt = apps.get_model("receiving", "Receipt")
    ReceiptLine = apps.get_model("receiving", "ReceiptLine")
    lines = ReceiptLine.objects.filter(receipt=OuterRef("pk")).order_by().values("receipt")
    Receipt.objects.update(
        line_count=Coalesce(Subquery(lines.annotate(value=Count("pk")).values("value")), 0),
        total_quantity=Coalesce(
            Subquery(lines.annotate(value=Sum("quantity")).values("value")), Value(Decimal(0))
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("receiving", "0003_history_indexed_where_read"),
    ]

    operations = [
        migrations.AddField(
            model_name="receipt",
            name="line_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="receipt",
            name="total_quantity",
            field=b2b_portal.fields.QuantityField(
                decimal_places=3,
                default=Decimal("0"),
                editable=False,
                max_digits=18,
                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
            ),
        ),
        migrations.RunPython(store_totals, migrations.RunPython.noop),
    ]
