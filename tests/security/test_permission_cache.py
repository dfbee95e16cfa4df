"""A user's permissions come from the cache between requests, and any change to who may do
what is seen by the next check (b2b_portal/permission_cache.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from b2b_portal.errors import PermissionRefused
from b2b_portal.permission_cache import cached_for_user, cached_permissions, forget_permissions
from b2b_portal.roles import role_group
from catalog.models import BusinessUnit
from catalog.units import require_business_unit, unit_ids_of, works_in_every_unit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BOOK = "orders.book_salesorder"


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.PERMISSION_CACHE_SECONDS = 300


def fresh(user):
    """The user as the next request loads it: nothing remembered on the object."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def as_request(django_capture_on_commit_callbacks):
    """``read()`` as a request makes it, outside any transaction: what it keeps in the cache
    is written when it ends (here, where everything is inside the test's transaction, at
    the end of the block)."""

    def run(read):
        with django_capture_on_commit_callbacks(execute=True):
            return read()

    return run


def permission_reads(user, as_request) -> tuple[set[str], int]:
    """The user's permissions as a request sees them, and the queries on auth tables."""
    with CaptureQueriesContext(connection) as queries:
        permissions = as_request(lambda: fresh(user).get_all_permissions())
    return permissions, sum('"auth_permission"' in q["sql"] for q in queries.captured_queries)


def test_the_second_request_reads_no_permission_table(as_request):
    clerk = UserFactory(role="Order Entry Clerk")
    first, first_reads = permission_reads(clerk, as_request)
    second, second_reads = permission_reads(clerk, as_request)
    assert BOOK in first
    assert second == first
    assert (first_reads, second_reads) == (2, 0)


def test_leaving_a_role_takes_its_permissions_away_at_the_next_check(as_request):
    clerk = UserFactory(role="Order Entry Clerk")
    assert as_request(lambda: fresh(clerk).has_perm(BOOK))
    clerk.groups.remove(role_group("Order Entry Clerk"))
    assert not fresh(clerk).has_perm(BOOK)
    assert permission_reads(clerk, as_request)[0] == set()


def test_a_role_losing_a_permission_loses_it_for_its_members(as_request):
    clerk = UserFactory(role="Order Entry Clerk")
    assert as_request(lambda: fresh(clerk).has_perm(BOOK))
    book = Permission.objects.get(content_type__app_label="orders", codename="book_salesorder")
    role_group("Order Entry Clerk").permissions.remove(book)
    assert not fresh(clerk).has_perm(BOOK)


def test_a_permission_granted_directly_counts_at_once(as_request):
    user = UserFactory()
    assert not as_request(lambda: fresh(user).has_perm(BOOK))
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="orders", codename="book_salesorder")
    )
    assert fresh(user).has_perm(BOOK)


def test_a_superuser_made_ordinary_keeps_only_their_roles(as_request):
    user = UserFactory(is_superuser=True)
    assert BOOK in permission_reads(user, as_request)[0]
    get_user_model().objects.filter(pk=user.pk).update(is_superuser=False)
    assert permission_reads(user, as_request)[0] == set()


def test_a_set_kept_before_the_change_commits_is_dropped_when_it_commits(
    django_capture_on_commit_callbacks, as_request
):
    clerk = UserFactory(role="Order Entry Clerk")
    before = fresh(clerk).get_all_permissions()
    with django_capture_on_commit_callbacks() as callbacks:
        clerk.groups.remove(role_group("Order Entry Clerk"))
    # A request of another process, which cannot see the change yet, keeps what it read.
    as_request(lambda: cached_permissions(fresh(clerk), lambda: set(before)))
    assert BOOK in fresh(clerk).get_all_permissions()
    for callback in callbacks:  # the commit
        callback()
    assert fresh(clerk).get_all_permissions() == set()


def test_with_the_cache_off_every_request_reads_the_tables(settings, as_request):
    settings.PERMISSION_CACHE_SECONDS = 0
    clerk = UserFactory(role="Order Entry Clerk")
    assert [permission_reads(clerk, as_request)[1] for _ in range(2)] == [2, 2]


def test_a_migration_drops_every_kept_set(as_request):
    """Migrations change roles through historical models, which send no signal per row."""
    clerk = UserFactory(role="Order Entry Clerk")
    before = fresh(clerk).get_all_permissions()
    forget_permissions()
    # Kept, then a migration changes roles.
    as_request(lambda: cached_permissions(fresh(clerk), lambda: set()))
    assert fresh(clerk).get_all_permissions() == set()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert fresh(clerk).get_all_permissions() == before


def unit_reads(user, as_request) -> tuple[tuple | None, int]:
    """The units a request's user works in, and the queries on the memberships."""
    with CaptureQueriesContext(connection) as queries:
        units = as_request(lambda: unit_ids_of(fresh(user)))
    return units, sum(
        '"catalog_businessunit_members"' in q["sql"] for q in queries.captured_queries
    )


def test_the_units_a_user_works_in_come_from_the_cache_with_their_permissions(world, as_request):
    clerk = UserFactory(role="Order Entry Clerk", units=[world.units["US1"]])
    us1 = world.units["US1"].pk
    assert unit_reads(clerk, as_request) == ((us1,), 1)
    assert unit_reads(clerk, as_request) == ((us1,), 0)
    user = fresh(clerk)
    as_request(lambda: (user.get_all_permissions(), works_in_every_unit(user)))  # kept too
    with CaptureQueriesContext(connection) as queries:
        user = fresh(clerk)
        access = (user.get_all_permissions(), unit_ids_of(user), works_in_every_unit(user))
    assert access == (fresh(clerk).get_all_permissions(), (us1,), False)
    assert BOOK in access[0]
    assert len(queries) == 1  # the user row; the rest is one cache round trip


def test_joining_or_leaving_a_unit_counts_at_the_next_check_in_every_process(
    world, django_capture_on_commit_callbacks, as_request
):
    clerk = UserFactory(role="Order Entry Clerk", units=[world.units["US1"]])
    us1, eu1 = world.units["US1"].pk, world.units["EU1"].pk
    assert as_request(lambda: unit_ids_of(fresh(clerk))) == (us1,)
    assert not as_request(lambda: works_in_every_unit(fresh(clerk)))
    world.units["EU1"].members.add(clerk)
    assert unit_ids_of(fresh(clerk)) == tuple(sorted((us1, eu1)))
    assert works_in_every_unit(fresh(clerk))
    with django_capture_on_commit_callbacks() as callbacks:
        world.units["US1"].members.remove(clerk)
    # A request of another process, which cannot see the change yet, keeps what it read.
    as_request(lambda: cached_for_user(fresh(clerk), "units", lambda: frozenset((us1, eu1))))
    assert unit_ids_of(fresh(clerk)) == tuple(sorted((us1, eu1)))
    for callback in callbacks:  # the commit
        callback()
    assert unit_ids_of(fresh(clerk)) == (eu1,)
    with pytest.raises(PermissionRefused):
        require_business_unit(fresh(clerk), us1)


def test_a_new_unit_is_one_the_user_does_not_work_in(world, as_request):
    clerk = UserFactory(role="Order Entry Clerk", units=list(world.units.values()))
    assert as_request(lambda: works_in_every_unit(fresh(clerk)))
    BusinessUnit.objects.create(code="APAC1", name="Singapore", currency_code="SGD")
    assert not works_in_every_unit(fresh(clerk))


class RolledBack(Exception):
    pass


def test_what_a_check_read_inside_a_change_rolled_back_is_not_kept(world, as_request):
    """An administrator adds the clerk to EU1, a check inside that transaction sees it, and
    the transaction is rolled back: the next request must not find EU1 or its role."""
    clerk = UserFactory(units=[world.units["US1"]])
    us1 = world.units["US1"].pk
    with pytest.raises(RolledBack), transaction.atomic():
        world.units["EU1"].members.add(clerk)
        clerk.groups.add(role_group("Order Entry Clerk"))
        inside = fresh(clerk)
        assert len(unit_ids_of(inside)) == 2 and inside.has_perm(BOOK)
        raise RolledBack
    after = fresh(clerk)
    assert as_request(lambda: (unit_ids_of(after), after.has_perm(BOOK))) == ((us1,), False)
