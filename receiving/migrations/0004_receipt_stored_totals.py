from decimal import Decimal

import django.core.validators
from django.db import migrations, models

import b2b_portal.fields


def store_totals(apps, schema_editor):
    """Every receipt's totals from its lines, as ``receipt_create`` writes them."""
    from receiving.totals import receipt_totals

    Receipt = apps.get_model("receiving", "Receipt")
    ReceiptLine = apps.get_model("receiving", "ReceiptLine")
    Receipt.objects.update(**receipt_totals(ReceiptLine))


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
