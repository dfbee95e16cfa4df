from decimal import Decimal

from django.db import migrations

import b2b_portal.fields


def store_totals(apps, schema_editor):
    """Every AP invoice's total from its lines, as ``invoicing.totals`` keeps it."""
    from invoicing.totals import ap_invoice_totals

    APInvoice = apps.get_model("invoicing", "APInvoice")
    APInvoiceLine = apps.get_model("invoicing", "APInvoiceLine")
    APInvoice.objects.update(**ap_invoice_totals(APInvoiceLine))


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
