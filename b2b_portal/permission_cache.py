"""Each user's permissions kept in the cache between requests (issue 13).

Django's ModelBackend reads a user's permissions with two joined queries on every request
that checks one: about 2.4 ms of a page's 10 to 30 ms at 50,000 orders, on every page (the
menu checks them). Here the set is kept in the cache under the user, beside a token that
every change of a permission, a group or a membership replaces: the first check after a
change reads the database again, in every web process at once.

The token is replaced as the change is made (the changing connection sees its own change)
and again once it commits (a request of another process that cached the old set in
between reads it afresh). A change made without Django's signals (raw SQL, a queryset
``update`` of ``auth_*`` tables) is seen only when the entry expires,
``PERMISSION_CACHE_SECONDS`` later; 0 turns the cache off (the default without Redis).
Keys carry the database's name: two databases (the parallel test workers) may share one
Redis.
"""

import uuid

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


def _key(name: str) -> str:
    return f"permissions:{connection.settings_dict['NAME']}:{name}"


def _current_token(token_key: str, token) -> str:
    """The token in force; a new one when the cache lost it, so no entry made before
    (under a token since lost) counts."""
    if token is None:
        cache.add(token_key, uuid.uuid4().hex, None)
        token = cache.get(token_key)
    return token


def cached_permissions(user, compute) -> set[str]:
    """``compute()``'s permission set for ``user``, from the cache while no permission,
    group or membership changed since it was kept; one cache round trip when it holds."""
    seconds = settings.PERMISSION_CACHE_SECONDS
    if not seconds:
        return compute()
    token_key, user_key = _key("token"), _key(f"user:{user.pk}")
    found = cache.get_many([token_key, user_key])
    token = _current_token(token_key, found.get(token_key))
    entry = found.get(user_key)
    # A superuser holds every permission, so the flag is part of what the set was made
    # from; the time the user joined tells a user from an earlier one of the same id (a
    # database made anew beside a cache that was not).
    made_from = (token, user.is_superuser, user.date_joined)
    if entry and entry[0] == made_from:
        return set(entry[1])
    permissions = compute()
    cache.set(user_key, (made_from, frozenset(permissions)), seconds)
    return permissions


def forget_permissions() -> None:
    """Every kept permission set stops counting: now, and again when the change commits."""
    if not settings.PERMISSION_CACHE_SECONDS:
        return
    token_key = _key("token")

    def replace_token():
        cache.set(token_key, uuid.uuid4().hex, None)

    replace_token()
    transaction.on_commit(replace_token)


class CachedPermissionsBackend(ModelBackend):
    """ModelBackend whose permission sets come from ``cached_permissions``."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            read = super().get_all_permissions
            user_obj._perm_cache = cached_permissions(user_obj, lambda: read(user_obj))
        return user_obj._perm_cache


def _membership_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        forget_permissions()


def _row_changed(sender, **kwargs):
    forget_permissions()


def connect_signals() -> None:
    """Called once from ``catalog.apps``: a change made by any process (the admin, a
    command, a migration) replaces the token."""
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_membership_changed, sender=through, dispatch_uid=f"perms-{through}")
    for model in (Group, Permission):
        post_save.connect(_row_changed, sender=model, dispatch_uid=f"perms-save-{model}")
        post_delete.connect(_row_changed, sender=model, dispatch_uid=f"perms-delete-{model}")
    # A migration changes roles through historical models, which send no signal above.
    post_migrate.connect(_row_changed, dispatch_uid="perms-migrate")
