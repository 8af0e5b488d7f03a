"""Rate limit of the public search and proof endpoints (cache-based fixed window per client address)."""

from __future__ import annotations

import os
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 60


def search_limit() -> int:
    """Searches (and proof look-ups) per minute and client address; SSJ_PUBLIC_SEARCH_PER_MINUTE overrides."""
    configured = getattr(settings, "SSJ_PUBLIC_SEARCH_PER_MINUTE", None)
    return int(configured or os.environ.get("SSJ_PUBLIC_SEARCH_PER_MINUTE", "60"))


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
