"""Fixtures shared by the whole suite.

Kept deliberately small: the shared domain fixtures live in ``tests/fixtures.py`` (loaded
below) and each app's own fixtures in its folder. The suite runs on PostgreSQL (``make test``
exports ``DATABASE_URL`` and ``REDIS_URL``; see docs/operations.md), never on SQLite.
"""

pytest_plugins = ["tests.fixtures"]
