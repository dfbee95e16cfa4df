"""Django's Redis cache, with one client object per connection pool instead of one per call.

``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache call, and its
constructor fills a table of about 170 response callbacks: a signed-in page makes two calls
(the session, the permissions), about 0.3 ms of Python a request on this 2-core machine
(docs/benchmarks.md). A ``redis.Redis`` holds no connection of its own (it borrows one from
the pool for each command) and is safe to share between threads, so one per pool will do.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
