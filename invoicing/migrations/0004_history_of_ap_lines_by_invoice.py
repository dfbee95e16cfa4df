"""A document page's Action history reads the newest history rows of its lines (issue 13):
without this index PostgreSQL walked every line's history by date, newest first, and
dropped the rows of other documents (42,210 of them for the biggest PO at 50,000 orders).
simple_history's models take no Meta indexes, so the index is SQL."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0003_invoice_terms_and_tax")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX hist_ap_line_by_invoice_newest ON invoicing_historicalapinvoiceline "
            "(invoice_id, history_date DESC, history_id DESC)",
            reverse_sql="DROP INDEX hist_ap_line_by_invoice_newest",
        )
    ]
