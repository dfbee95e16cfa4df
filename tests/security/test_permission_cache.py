"""A user's permissions come from the cache between requests, and any change to who may do
what is seen by the next check (b2b_portal/permission_cache.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test.utils import CaptureQueriesContext

from b2b_portal.permission_cache import cached_permissions, forget_permissions
from b2b_portal.roles import role_group
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BOOK = "orders.book_salesorder"


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.PERMISSION_CACHE_SECONDS = 300


def fresh(user):
    """The user as the next request loads it: nothing remembered on the object."""
    return get_user_model().objects.get(pk=user.pk)


def permission_reads(user) -> tuple[set[str], int]:
    """The user's permissions as a request sees them, and the queries on auth tables."""
    with CaptureQueriesContext(connection) as queries:
        permissions = fresh(user).get_all_permissions()
    return permissions, sum('"auth_permission"' in q["sql"] for q in queries.captured_queries)


def test_the_second_request_reads_no_permission_table():
    clerk = UserFactory(role="Order Entry Clerk")
    first, first_reads = permission_reads(clerk)
    second, second_reads = permission_reads(clerk)
    assert BOOK in first
    assert second == first
    assert (first_reads, second_reads) == (2, 0)


def test_leaving_a_role_takes_its_permissions_away_at_the_next_check():
    clerk = UserFactory(role="Order Entry Clerk")
    assert fresh(clerk).has_perm(BOOK)
    clerk.groups.remove(role_group("Order Entry Clerk"))
    assert not fresh(clerk).has_perm(BOOK)
    assert permission_reads(clerk)[0] == set()


def test_a_role_losing_a_permission_loses_it_for_its_members():
    clerk = UserFactory(role="Order Entry Clerk")
    assert fresh(clerk).has_perm(BOOK)
    book = Permission.objects.get(content_type__app_label="orders", codename="book_salesorder")
    role_group("Order Entry Clerk").permissions.remove(book)
    assert not fresh(clerk).has_perm(BOOK)


def test_a_permission_granted_directly_counts_at_once():
    user = UserFactory()
    assert not fresh(user).has_perm(BOOK)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="orders", codename="book_salesorder")
    )
    assert fresh(user).has_perm(BOOK)


def test_a_superuser_made_ordinary_keeps_only_their_roles():
    user = UserFactory(is_superuser=True)
    assert BOOK in permission_reads(user)[0]
    get_user_model().objects.filter(pk=user.pk).update(is_superuser=False)
    assert permission_reads(user)[0] == set()


def test_a_set_kept_before_the_change_commits_is_dropped_when_it_commits(
    django_capture_on_commit_callbacks,
):
    clerk = UserFactory(role="Order Entry Clerk")
    before = fresh(clerk).get_all_permissions()
    with django_capture_on_commit_callbacks() as callbacks:
        clerk.groups.remove(role_group("Order Entry Clerk"))
    # A request of another process, which cannot see the change yet, keeps what it read.
    cached_permissions(fresh(clerk), lambda: set(before))
    assert BOOK in fresh(clerk).get_all_permissions()
    for callback in callbacks:  # the commit
        callback()
    assert fresh(clerk).get_all_permissions() == set()


def test_with_the_cache_off_every_request_reads_the_tables(settings):
    settings.PERMISSION_CACHE_SECONDS = 0
    clerk = UserFactory(role="Order Entry Clerk")
    assert [permission_reads(clerk)[1] for _ in range(2)] == [2, 2]


def test_a_migration_drops_every_kept_set():
    """Migrations change roles through historical models, which send no signal per row."""
    clerk = UserFactory(role="Order Entry Clerk")
    before = fresh(clerk).get_all_permissions()
    forget_permissions()
    cached_permissions(fresh(clerk), lambda: set())  # kept, then a migration changes roles
    assert fresh(clerk).get_all_permissions() == set()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert fresh(clerk).get_all_permissions() == before
