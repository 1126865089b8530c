"""Django's Redis cache with one redis-py client per connection pool (issue 21).

django.core.cache.backends.redis makes a new ``redis.Redis`` for every cache call; building
one sets up some 170 response callbacks, about 1 ms of CPU. A page reads the figures' stamps,
an entry and the session from the cache, so that was several milliseconds of every request.
redis-py's clients are safe to share between threads (each command takes a connection from
the pool), and Django keeps a cache backend per thread anyway."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _OneClientPerPool(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


class RedisCache(DjangoRedisCache):
    """settings.CACHES with REDIS_URL: the same cache, its clients kept."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _OneClientPerPool
