from django.db import migrations, models
from django.db.models import Exists, OuterRef


def mark_billed_lines(apps, schema_editor):
    """The lines a live first billing bills, as AutoInvoice marks them from now on."""
    ShipmentLine = apps.get_model("shipping", "ShipmentLine")
    ARInvoiceLine = apps.get_model("invoicing", "ARInvoiceLine")
    first_billings = ARInvoiceLine.objects.filter(
        shipment_line=OuterRef("pk"), is_cancelled=False, reinvoice_of__isnull=True
    )
    ShipmentLine.objects.filter(Exists(first_billings)).update(is_billed=True)


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0004_history_of_ap_lines_by_invoice"),
        ("shipping", "0002_corrections"),
    ]

    operations = [
        migrations.AddField(
            model_name="shipmentline",
            name="is_billed",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_billed_lines, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="shipmentline",
            index=models.Index(
                condition=models.Q(("is_billed", False), ("status", "SHIPPED")),
                fields=["id"],
                name="shipment_line_to_bill",
            ),
        ),
    ]
