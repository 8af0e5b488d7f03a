"""A small fixed-window rate limit on the cache, for public endpoints (the portal's search).

    @ratelimit(scope="public_search", limit=30, period=60)
    def search(request): ...

Over the limit the view answers 429 with a Chinese message and a Retry-After header. Logins are limited
by django-axes (per user name) instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase

ViewT = TypeVar("ViewT", bound=Callable[..., HttpResponseBase])
MESSAGE = "访问过于频繁，请稍后再试"


def client_ip(request: HttpRequest) -> str:
    """The client address, trusting `SSJ_TRUSTED_PROXY_COUNT` reverse proxies' X-Forwarded-For."""
    proxies = int(getattr(settings, "SSJ_TRUSTED_PROXY_COUNT", 0))
    if proxies > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def _redis_count(cache_key: str, period: int) -> int | None:
    """With the Redis cache: create-or-increment the counter in one round trip (a pipeline), or None."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    key = backend.make_and_validate_key(cache_key)
    pipe = backend._cache.get_client(key, write=True).pipeline(transaction=False)
    pipe.set(key, 0, nx=True, ex=period + 1)
    pipe.incr(key)
    return int(pipe.execute()[1])


def hit(key: str, *, limit: int, period: int) -> tuple[bool, int]:
    """Count one request for `key`; return (allowed, seconds until the window resets)."""
    now = int(time.time())
    window = now // period
    cache_key = f"ssj-rl:{key}:{window}"
    counted = _redis_count(cache_key, period)
    if counted is not None:  # the public portal counts every search: one round trip, not three
        count = counted
    elif cache.add(cache_key, 1, timeout=period + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=period + 1)
            count = 1
    return count <= limit, (window + 1) * period - now


def ratelimit(
    *, scope: str, limit: int | None = None, period: int | None = None,
    key: Callable[[HttpRequest], str] = client_ip, methods: tuple[str, ...] | None = None,
) -> Callable[[ViewT], ViewT]:
    """Limit `view` to `limit` requests per `period` seconds per key (client address by default);
    `methods` restricts the counting to some HTTP methods (e.g. ("POST",) for a login form)."""

    def decorator(view: ViewT) -> ViewT:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if methods is not None and request.method not in methods:
                return view(request, *args, **kwargs)
            default_limit, default_period = getattr(settings, "SSJ_PUBLIC_SEARCH_RATE", (30, 60))
            allowed, retry = hit(
                f"{scope}:{key(request)}", limit=limit or default_limit, period=period or default_period
            )
            if not allowed:
                if request.headers.get("Accept", "").startswith("application/json") or request.path.startswith("/api/"):
                    response: HttpResponse = JsonResponse({"detail": MESSAGE}, status=429)
                else:
                    response = HttpResponse(MESSAGE, status=429, content_type="text/plain; charset=utf-8")
                response["Retry-After"] = str(retry)
                return response
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
