"""Fixtures shared by the whole suite.

Kept deliberately small: the shared domain fixtures live in ``tests/fixtures.py`` (loaded
below) and each app's own fixtures in its folder. The suite runs on PostgreSQL (``make test``
exports ``DATABASE_URL`` and ``REDIS_URL``; see docs/operations.md), never on SQLite.
"""

import pytest

pytest_plugins = ["tests.fixtures", "tests.fast_flush"]

# Tests of these kinds are slow by nature (a browser, a real worker): ``-m "not slow"`` skips
# them with the tests marked ``slow`` one by one.
SLOW_KINDS = ("browser", "celery_worker")


def pytest_collection_modifyitems(items):
    """Mark the browser and real-worker tests ``slow`` as well. This hook runs after the
    folders' own (tests/browser/conftest.py marks its tests ``browser``) and before pytest
    deselects by marker."""
    for item in items:
        if any(item.get_closest_marker(kind) for kind in SLOW_KINDS):
            item.add_marker(pytest.mark.slow)
