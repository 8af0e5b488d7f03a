"""Rate limit of the public search and proof endpoints (cache-based fixed window per client address)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

SEARCH_LIMIT = 60  # requests per window and client address
PROOF_LIMIT = 30
WINDOW_SECONDS = 60


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def allow(request: HttpRequest, *, scope: str, limit: int, window: int = WINDOW_SECONDS) -> bool:
    """Count one request of ``scope`` for the client; False once more than ``limit`` fall in the window."""
    bucket = int(time.time() // window)
    key = f"ssj:rl:{scope}:{client_address(request)}:{bucket}"
    if cache.add(key, 1, timeout=window + 1):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 1)
        return True
    return count <= limit
