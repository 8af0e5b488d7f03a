"""Rate limit of the public search, proof and bulk-download endpoints (common.ratelimit's fixed window).

The limit is ``settings.SSJ_PUBLIC_SEARCH_RATE`` (requests, seconds) per client address; the environment
variable SSJ_PUBLIC_SEARCH_PER_MINUTE overrides the count (the benchmark lifts it: all its requests come from
one loopback address).
"""

from __future__ import annotations

import os

from django.conf import settings
from django.http import HttpRequest

from shuangsuiji.common.ratelimit import client_ip, hit


def _rate() -> tuple[int, int]:
    limit, period = getattr(settings, "SSJ_PUBLIC_SEARCH_RATE", (30, 60))
    override = os.environ.get("SSJ_PUBLIC_SEARCH_PER_MINUTE")
    return (int(override), 60) if override else (int(limit), int(period))


def search_limit() -> int:
    """Searches (and proof look-ups) per window and client address."""
    return _rate()[0]


def allow(request: HttpRequest, *, scope: str, limit: int) -> bool:
    """Count one request of ``scope`` for the client; False once more than ``limit`` fall in the window."""
    allowed, _ = hit(f"portal-{scope}:{client_ip(request)}", limit=limit, period=_rate()[1])
    return allowed
