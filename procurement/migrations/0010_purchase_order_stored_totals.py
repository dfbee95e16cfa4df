from decimal import Decimal

from django.db import migrations, models

import b2b_portal.fields


def store_totals(apps, schema_editor):
    """Every PO's totals from its live lines, as ``procurement.totals`` keeps them."""
    from procurement.totals import purchase_order_totals

    PurchaseOrder = apps.get_model("procurement", "PurchaseOrder")
    PurchaseOrderLine = apps.get_model("procurement", "PurchaseOrderLine")
    PurchaseOrder.objects.update(**purchase_order_totals(PurchaseOrderLine))


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
