"""``Authorization: Token <key>``: the key's digest finds an unrevoked token of an active user."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import ApiToken, token_digest

INVALID_TOKEN = "Invalid or revoked token."
# last_used_at is for the token page; writing it on every request would cost a write each.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        token = (
            ApiToken.objects.select_related("user")
            .filter(digest=token_digest(key), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
