"""What the locking tests share: the SQL a service locks with, and two callers at once.

``locking_statements`` runs a service and returns its ``FOR UPDATE`` statements, so a test can
assert that each one names its own table only (``FOR UPDATE OF "<table>"``): a lock taken
with ``select_related()`` and no ``of=`` would also lock the joined rows.

``run_concurrently`` starts the callables in threads, each on its own database connection,
released together by a barrier, and returns what each returned or raised, in order.
"""

import re
import threading

from django.db import connection
from django.test.utils import CaptureQueriesContext

FOR_UPDATE = re.compile(r"FOR (NO KEY )?UPDATE(?P<of> OF [^;]*?)?( SKIP LOCKED| NOWAIT)?$")
TABLE = re.compile(r'\bFROM "(\w+)"')


def locking_statements(call) -> list[str]:
    """The SELECT ... FOR UPDATE statements ``call()`` sends, in order."""
    with CaptureQueriesContext(connection) as captured:
        call()
    return [q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"]]


def selected_table(sql: str) -> str:
    """The table a statement selects from: its first ``FROM`` outside parentheses, not a
    subquery's (a booking's lock reads each item's lead time by one in its select list)."""
    for match in TABLE.finditer(sql):
        before = sql[: match.start()]
        if before.count("(") == before.count(")"):
            return match[1]
    raise AssertionError(f"no table selected from: {sql}")


def lock_order(statements: list[str]) -> list[str]:
    """The tables locked, in the order each is first locked: to compare with the documented
    locking order (a lock taken again on a row already held waits for nobody)."""
    tables = [selected_table(sql) for sql in statements]
    return list(dict.fromkeys(tables))


def assert_locks_only_own_rows(statements: list[str]) -> None:
    """Every lock names exactly the table it selects from, never a joined one."""
    assert statements, "the service took no lock at all"
    for sql in statements:
        match = FOR_UPDATE.search(sql.strip())
        assert match and match["of"], f"lock without OF: {sql}"
        table = selected_table(sql)
        assert match["of"].strip() == f'OF "{table}"', f"lock takes joined rows: {sql}"


def run_concurrently(*calls, timeout: float = 60) -> list:
    """Run each callable in its own thread and connection, all starting at once."""
    start = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def worker(index, call):
        start.wait()
        try:
            outcomes[index] = call()
        except Exception as error:  # returned to the test, which asserts on it
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a caller is still waiting"
    return outcomes
