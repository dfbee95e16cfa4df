"""The Redis cache shares one client per connection pool (b2b_portal/redis_cache.py)."""

import pytest
from django.conf import settings
from django.core.cache import cache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="the cache is Redis with REDIS_URL")


def test_every_call_uses_the_same_client_and_still_reaches_redis():
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    cache.set("redis-cache-test", {"lines": 3}, 5)
    assert cache.get_many(["redis-cache-test", "absent"]) == {"redis-cache-test": {"lines": 3}}
    assert client.exists(cache.make_and_validate_key("redis-cache-test")) == 1
    cache.delete("redis-cache-test")
    assert cache.get("redis-cache-test") is None
