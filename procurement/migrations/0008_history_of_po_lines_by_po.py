"""A document page's Action history reads the newest history rows of its lines (issue 13):
without this index PostgreSQL walked every line's history by date, newest first, and
dropped the rows of other documents (42,210 of them for the biggest PO at 50,000 orders).
simple_history's models take no Meta indexes, so the index is SQL."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("procurement", "0007_requisition_line_approved_need_by_index")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX hist_po_line_by_po_newest ON procurement_historicalpurchaseorderline "
            "(purchase_order_id, history_date DESC, history_id DESC)",
            reverse_sql="DROP INDEX hist_po_line_by_po_newest",
        )
    ]
