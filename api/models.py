"""Personal API tokens: a user's key for the REST API, stored only as its SHA-256 digest.

DRF's ``authtoken`` keeps the key itself in the database, one per user, and cannot revoke
one integration's key without the others. Here a user holds several named tokens, sees a
key once (when it is made), and revokes each alone; a leaked database leaks no key.
"""

import hashlib

from django.conf import settings
from django.db import models


def token_digest(key: str) -> str:
    """The stored form of a key. A key is 256 random bits, so a plain SHA-256 suffices:
    slow password hashing guards guessable secrets, not random ones."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80)
    # The key's first characters, shown on the token page to tell the keys apart.
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
