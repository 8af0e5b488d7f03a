"""The Redis cache backend keeps one redis-py client per connection pool (no client built per call)."""

from __future__ import annotations

import threading

from shuangsuiji.common.redis_cache import RedisCache


def test_one_client_per_pool_shared_by_threads() -> None:
    backend = RedisCache("redis://127.0.0.1:6379/0", {"KEY_PREFIX": "t-"})  # no connection is made here
    client = backend._cache.get_client("a", write=True)
    assert backend._cache.get_client("b") is client  # one server: reads and writes use the same pool
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(backend._cache.get_client("c"))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(other is client for other in seen)
    assert client.connection_pool is backend._cache._get_connection_pool(True)

