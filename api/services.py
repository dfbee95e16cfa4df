"""Writes on API tokens: a user makes a token (the key is returned once) and revokes it."""

import secrets

from django.db import transaction
from django.utils import timezone

from b2b_portal.errors import PermissionRefused, TransitionRefused, ValidationRefused

from .models import ApiToken, token_digest

KEY_PREFIX = "b2b_"
TOKEN_NEEDS_A_NAME = "Name the token after what will use it, for example the ERP connector."
NOT_YOUR_TOKEN = "{actor} may revoke only their own API tokens."
ALREADY_REVOKED = "{token} was already revoked."


@transaction.atomic
def api_token_create(*, actor, name: str) -> tuple[ApiToken, str]:
    """A new token of ``actor`` and its key, which is not stored and cannot be shown again."""
    name = name.strip()
    if not name:
        raise ValidationRefused(TOKEN_NEEDS_A_NAME)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    prefix = key[: len(KEY_PREFIX) + 6]
    token = ApiToken(user=actor, name=name, prefix=prefix, digest=token_digest(key))
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """The token stops working at once; an administrator may revoke anyone's."""
    if token.user_id != actor.pk and not actor.is_superuser:
        raise PermissionRefused(NOT_YOUR_TOKEN.format(actor=actor))
    # Lock the row: two revokes at once record the first time only.
    token = ApiToken.objects.select_for_update(of=("self",)).get(pk=token.pk)
    if token.revoked_at is not None:
        raise TransitionRefused(ALREADY_REVOKED.format(token=token))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token
