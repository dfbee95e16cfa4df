"""One interleaving of two callers forced instead of hoped for: the other caller's work is
done but not committed while this one runs, and commits once this one waits on it.

That is the moment a check-then-insert service cannot see the other's row and meets it only
at the unique constraint: the path that must end in a refusal, not a server error.
"""

import threading
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def uncommitted_meanwhile(call, *, commit_after: float = 0.5, timeout: float = 30):
    """Run ``call`` in a thread on its own connection and keep its transaction open; it
    commits ``commit_after`` seconds into the ``with`` block (time for the block to reach
    the row it waits on)."""
    called, go_on = threading.Event(), threading.Event()
    errors: list[Exception] = []

    def other_caller():
        try:
            with transaction.atomic():
                call()
                called.set()
                go_on.wait(timeout=timeout)
        except Exception as error:  # handed to the test below
            errors.append(error)
            called.set()
        finally:
            connection.close()

    thread = threading.Thread(target=other_caller)
    thread.start()
    assert called.wait(timeout=timeout) and not errors, errors
    timer = threading.Timer(commit_after, go_on.set)
    timer.start()
    try:
        yield
    finally:
        go_on.set()
        thread.join(timeout=timeout)
    assert not thread.is_alive() and not errors, errors
