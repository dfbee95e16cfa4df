"""The ``world`` master data committed once per test database instead of built per test.

Building the world costs about 220 statements (a role's group and its permissions, one user
per role, the master data with its history); reading it back costs six. So each pytest
process builds it once in its own test database (xdist gives every worker its own), and
every test then sees it as committed data:

- a ``db`` test runs in a transaction that is rolled back, so the world it finds is always
  the one built here;
- a transactional test (``transactional_db``, ``live_server``) flushes every table after it;
  ``restore`` (called after each test's teardown) builds the world again;
- a test that does not ask for ``world`` must still start from an empty database: ``hide``
  truncates the world's tables inside its transaction (or, in a transactional test, for
  good until ``restore``);
- the session ends with the world truncated, so a ``--reuse-db`` database is left as empty
  as the tests found it.
"""

from collections.abc import Callable

from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction

from catalog.models import BusinessUnit

# The unit every world has: its presence says the world is in the database.
MARKER_UNIT = "US1"


def _row_counts() -> dict[str, int]:
    """Rows of every table Django knows, in one statement."""
    tables = sorted(
        {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
        & set(connection.introspection.table_names())
    )
    select = " UNION ALL ".join(
        f"SELECT %s, COUNT(*) FROM {connection.ops.quote_name(table)}" for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(select, tables)
        return dict(cursor.fetchall())


class CommittedWorld:
    """Keeps the world's master data committed in this process's test database."""

    def __init__(self, build: Callable[[], None], blocker) -> None:
        self.build = build
        self.blocker = blocker
        self.tables: list[str] = []
        self.active = False

    def present(self) -> bool:
        return BusinessUnit.objects.filter(code=MARKER_UNIT).exists()

    def open(self) -> None:
        """Build the world and learn which tables it writes (those it makes non-empty)."""
        with self.blocker.unblock():
            if self.present():
                # A run that stopped before closing left its world in a reused database.
                call_command("flush", interactive=False, verbosity=0)
            before = _row_counts()
            self._build()
            after = _row_counts()
        self.tables = [table for table, rows in after.items() if rows > before[table]]
        grown_from_rows = [table for table in self.tables if before[table]]
        assert not grown_from_rows, f"the world adds to tables that had rows: {grown_from_rows}"
        self.active = True

    def _build(self) -> None:
        with transaction.atomic():
            self.build()

    def restore(self) -> None:
        """After a test: build the world again if a transactional test flushed it."""
        if not self.active:
            return
        with self.blocker.unblock():
            if not self.present():
                self._build()

    def hide(self) -> None:
        """Delete the world's rows for a test that did not ask for it (rolled back with a
        ``db`` test's transaction; a transactional test's are rebuilt by ``restore``).
        DELETE, not TRUNCATE: a few dozen rows, and the foreign keys are deferred."""
        with transaction.atomic(), connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")

    def close(self) -> None:
        self.active = False
        with self.blocker.unblock():
            self.hide()
