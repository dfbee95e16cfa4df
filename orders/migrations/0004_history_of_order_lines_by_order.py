"""A document page's Action history reads the newest history rows of its lines (issue 13):
without this index PostgreSQL walked every line's history by date, newest first, and
dropped the rows of other documents (42,210 of them for the biggest PO at 50,000 orders).
simple_history's models take no Meta indexes, so the index is SQL."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_scheduled_ship_date_and_days_late")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX hist_so_line_by_order_newest ON orders_historicalsalesorderline "
            "(order_id, history_date DESC, history_id DESC)",
            reverse_sql="DROP INDEX hist_so_line_by_order_newest",
        )
    ]
