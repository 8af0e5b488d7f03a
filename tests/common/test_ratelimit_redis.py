"""The rate limit's one-round-trip counter on the Redis cache (common.ratelimit); skipped without Redis."""

from __future__ import annotations

import os
import secrets
from typing import Any

import pytest

from shuangsuiji.common.ratelimit import hit

REDIS_URL = os.environ.get("SSJ_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_cache(settings: Any) -> Any:
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
    except Exception:
        pytest.skip(f"Redis 未在 {REDIS_URL} 应答：跳过 Redis 限流计数测试")
    prefix = f"ssj-test-rl-{secrets.token_hex(4)}"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}}
    yield client
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)


def test_redis_counter_limits_and_expires(redis_cache: Any) -> None:
    results = [hit("search:10.0.0.1", limit=3, period=60)[0] for _ in range(5)]
    assert results == [True, True, True, False, False]
    assert hit("search:10.0.0.2", limit=3, period=60)[0] is True  # per key
    keys = list(redis_cache.scan_iter(match="*ssj-rl:search:10.0.0.1*"))
    assert len(keys) == 1 and 0 < redis_cache.ttl(keys[0]) <= 61
