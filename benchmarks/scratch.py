"""The benchmarks' set-up: a scratch PostgreSQL database, Django on it, the demo world.

Every benchmark measures on a database of its own, created here and dropped at the end, so
that a run never touches a developer's data and two runs never meet.
"""

import argparse
import os
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


def add_server_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_DATABASE_SERVER", DEFAULT_SERVER),
        help="PostgreSQL URL of a database to connect to for CREATE DATABASE",
    )
    parser.add_argument(
        "--template",
        default=os.environ.get("BENCH_TEMPLATE"),
        help="a migrated database to copy instead of migrating an empty one (nobody may be "
        "connected to it); the copy is still migrated to the newest migration",
    )


@contextmanager
def scratch_database(server_url: str, template: str | None = None):
    """The URL of a new database ``b2b_bench_<pid>``, empty or a copy of ``template``;
    dropped on the way out."""
    name = f"b2b_bench_{os.getpid()}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(server_url, autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"{copy}')
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(server_url, autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def demo_world_in_scratch_database(server_url: str, template: str | None = None):
    """Django set up on a migrated scratch database holding the demo data; yields the
    ``DemoWorld``. Test settings: tasks run in-process, as in the test suite. Migrating
    an empty database takes minutes on a busy machine: a ``template`` saves them."""
    with scratch_database(server_url, template) as database_url:
        os.environ["DATABASE_URL"] = database_url
        os.environ["DJANGO_SETTINGS_MODULE"] = "b2b_portal.settings.test"
        import django

        django.setup()
        from django.core.management import call_command

        from orchestration.demo import load_demo_data

        call_command("migrate", verbosity=0)
        yield load_demo_data()


def analyse() -> None:
    """Fresh planner statistics after a bulk build, as autovacuum would gather them in time
    (it may be off, as on this machine): without them PostgreSQL guessed 747 open lines
    among 42,852 and chose plans ten times slower than the ones users would get. VACUUM
    too, where it can run: not inside a transaction (a test's)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")


class QueryCounter:
    """A ``connection.execute_wrapper`` that counts the statements sent."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)
