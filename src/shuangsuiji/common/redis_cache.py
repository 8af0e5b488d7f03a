"""Django's Redis cache backend, with one redis-py client per connection pool instead of one per operation.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` object for every cache call. With
redis-py 5+ that object's constructor fills a case-insensitive table of about 170 response callbacks, which
costs more CPU than the round trip itself: a cached public page (rate limit + page look-up) spent about half
of its CPU there (bench/portal_bench.py, profiled). A ``redis.Redis`` client is safe to share between
threads (it takes a connection from the pool for each command and gives it back), so one per pool is kept.
Everything else (pools, serialisation, key prefix, options) is Django's.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, servers: Any, **options: Any) -> None:
        super().__init__(servers, **options)
        self._clients: dict[int, Any] = {}
        self._lock = threading.Lock()

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            with self._lock:
                client = self._clients.get(index)
                if client is None:
                    client = self._client(connection_pool=self._get_connection_pool(write))  # type: ignore[attr-defined]
                    self._clients[index] = client
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: Any) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
