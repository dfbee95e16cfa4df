"""django-simple-history's ``HistoricalRecords``, its tables indexed only where they are
looked up.

simple_history indexes every foreign key, status and date it copies into a history table:
sixteen indexes on a requisition line's history made writing 10,000 history rows two to
three times slower than with the four it needs, and every service and process writes
history. A history row is read by the row's id (a document's history, the Peg Trace, the
admin) and, for a line, by its document's id (``lookups``): those keep their index, with
simple_history's own on ``history_date`` and ``history_user``.
"""

from simple_history.models import HistoricalRecords


class LeanHistoricalRecords(HistoricalRecords):
    def __init__(self, *args, lookups: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.lookups = {"id", *lookups}

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for name, field in fields.items():
            if name not in self.lookups:
                field.db_index = False
        return fields
