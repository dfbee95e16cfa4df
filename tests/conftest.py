"""Fixtures shared by the whole suite.

Kept deliberately small: the factories live in ``tests/factories.py`` and each app's own
fixtures in its folder's ``conftest.py``. The suite runs on PostgreSQL (``make test`` exports
``DATABASE_URL`` and ``REDIS_URL``; see docs/operations.md), never on SQLite.
"""
