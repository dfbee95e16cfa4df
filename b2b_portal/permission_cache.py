"""What each user may do kept in the cache between requests (issue 13): their permission
set and the business units they work in.

Django's ModelBackend reads a user's permissions with two joined queries on every request
that checks one: about 2.4 ms of a page's 10 to 30 ms at 50,000 orders, on every page (the
menu checks them); the units a user works in are one more query on every page that lists
documents (``catalog.units``). Here both are kept in the cache under the user, beside a
token that every change of a permission, a group, a role membership or a unit membership
replaces: the first check after a change reads the database again, in every web process
at once.

The token is replaced as the change is made (the changing connection sees its own change)
and again once it commits (a request of another process that cached the old set in
between reads it afresh); what a transaction reads is kept only when it commits, so a
change rolled back after a check leaves nothing behind. A change made without Django's
signals (raw SQL, a queryset ``update`` of ``auth_*`` tables) is seen only when the entry
expires, ``PERMISSION_CACHE_SECONDS`` later; 0 turns the cache off (the default without
Redis).
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
    """``name`` in this database. A user's entry is ``access:<pk>``: it held a bare
    permission set as ``user:<pk>`` before it held the units too, and the two must not meet
    while old and new web processes share one Redis during a deploy."""
    return f"permissions:{connection.settings_dict['NAME']}:{name}"


def _current_token(token_key: str, token) -> str:
    """The token in force; a new one when the cache lost it, so no entry made before
    (under a token since lost) counts."""
    if token is None:
        cache.add(token_key, uuid.uuid4().hex, None)
        token = cache.get(token_key)
    return token


def cached_for_user(user, part: str, compute):
    """``compute()``'s ``part`` of what ``user`` may do (their permission set, the units they
    work in), read once per user instance (a request's user, a task's actor: entering and
    booking an order check the same unit twice) until a change made in this process, and
    from the cache while nothing of the kind changed since it was kept. Every part is kept
    under the user's one key: a request reads them all in one round trip, on its first
    check."""
    made_from, parts = _kept_parts(user)
    if part not in parts:
        parts[part] = compute()
        seconds = settings.PERMISSION_CACHE_SECONDS
        if seconds:
            # Kept once the transaction commits (at once outside one): read inside a change
            # of roles or units that is then rolled back, the parts would outlive what they
            # show.
            user_key = _key(f"access:{user.pk}")
            transaction.on_commit(lambda: cache.set(user_key, (made_from, dict(parts)), seconds))
    return parts[part]


def _kept_parts(user) -> tuple:
    """What is kept for ``user``: on the instance, else from the cache (nothing with the
    cache off), again after a change made in this process."""
    remembered = getattr(user, "_kept_access", None)
    if remembered and remembered[0] == _changes_in_this_process:
        return remembered[1]
    if not settings.PERMISSION_CACHE_SECONDS:
        kept = (None, {})
        user._kept_access = (_changes_in_this_process, kept)
        return kept
    token_key, user_key = _key("token"), _key(f"access:{user.pk}")
    found = cache.get_many([token_key, user_key])
    token = _current_token(token_key, found.get(token_key))
    entry = found.get(user_key)
    # A superuser holds every permission and works in every unit, so the flag is part of
    # what the parts were made from; the time the user joined tells a user from an earlier
    # one of the same id (a database made anew beside a cache that was not).
    made_from = (token, user.is_superuser, user.date_joined)
    kept = (made_from, dict(entry[1]) if entry and entry[0] == made_from else {})
    user._kept_access = (_changes_in_this_process, kept)
    return kept


def cached_permissions(user, compute) -> set[str]:
    """``compute()``'s permission set for ``user``, kept by ``cached_for_user``."""
    return set(cached_for_user(user, "permissions", lambda: frozenset(compute())))


# Bumped by every change this process makes (see forget_permissions): a user instance that
# read its parts before reads them again.
_changes_in_this_process = 0


def forget_permissions() -> None:
    """Everything kept of every user (permissions, units) stops counting: now, and again
    when the change commits."""
    global _changes_in_this_process
    _changes_in_this_process += 1
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
