from decimal import Decimal

from django.db import migrations, models
from django.db.models import ExpressionWrapper, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round

import b2b_portal.fields


def store_totals(apps, schema_editor):
    """Every AP invoice's total from its lines, each line's amount rounded to the cent, as
    ``invoicing.totals`` kept it when this was written: written out here, so that a later
    change there does not change what this migration computes."""
    APInvoice = apps.get_model("invoicing", "APInvoice")
    APInvoiceLine = apps.get_model("invoicing", "APInvoiceLine")
    amount = models.DecimalField(max_digits=28, decimal_places=5)
    lines = APInvoiceLine.objects.filter(invoice=OuterRef("pk")).order_by().values("invoice")
    line_amount = Round(ExpressionWrapper(F("quantity") * F("unit_price"), amount), 2)
    summed = lines.annotate(value=Sum(line_amount, output_field=amount)).values("value")
    APInvoice.objects.update(
        lines_total=Coalesce(Subquery(summed), Value(Decimal(0)), output_field=amount)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0006_ar_invoice_indexed_where_read"),
    ]

    operations = [
        migrations.AddField(
            model_name="apinvoice",
            name="lines_total",
            field=b2b_portal.fields.MoneyField(
                decimal_places=2, default=Decimal("0"), editable=False, max_digits=18
            ),
        ),
        migrations.RunPython(store_totals, migrations.RunPython.noop),
    ]
