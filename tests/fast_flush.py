"""A transactional test's flush by DELETE instead of TRUNCATE.

Django empties the database after every transactional test (``live_server``, the locking
and real-worker tests) with one TRUNCATE of its 110 tables: PostgreSQL gives each table and
index a new file, which costs 5 to 8 seconds a test on the CI machine. Such a test leaves a
few hundred rows at most, which DELETE removes in milliseconds; the foreign keys Django
creates are deferred, so the tables can be emptied in any order inside the one transaction
the flush runs in. A flush that resets sequences still truncates.
"""

from django.db.backends.postgresql.operations import DatabaseOperations

_truncate = DatabaseOperations.sql_flush


def _delete(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if reset_sequences:
        return _truncate(self, style, tables, reset_sequences=True, allow_cascade=allow_cascade)
    return [
        f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
        for table in tables
    ]


def pytest_configure(config):
    DatabaseOperations.sql_flush = _delete
