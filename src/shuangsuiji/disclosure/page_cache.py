"""Shared cache of the public portal: pages, open-data files and /api/public/ answers (README 部署).

They are the same for every anonymous visitor, so each is rendered once per *generation* and then served from
the cache (Redis when ``SSJ_REDIS_URL`` is set, shared by all servers; otherwise the process's local memory).
The generation is a cache key that changes once a publication-affecting transaction commits (apps.py hooks
the audit entries of public events and new signed tree heads): every page cached before is then unreachable at
once — no list of URLs to purge, no page outliving the publication that changed it.

Only anonymous requests are served or stored: a request carrying a session (staff) or a pending message
bypasses the cache both ways, and an answer that is private, sets a cookie, or took a CSRF token is never
stored. Answers carry the HTTP validators ETag and Last-Modified; a matching If-None-Match or a current
If-Modified-Since gets 304. A view's gate (rate limit) runs before the cache, so a cached search still counts.

Fast path: ``PortalCacheMiddleware`` (right after the security and static-file middleware) answers a cached
page before the session, locale, CSRF, authentication, … middleware and the URL dispatch run: it resolves the
path, and for a view marked by ``public_page`` (shared, without a gate or with a ``CountingGate``) counts the
gate, looks the page up and answers a hit with the complete stored answer (all headers the inner middleware
added: CSP, X-Frame-Options, Vary, Content-Language). A miss goes through the whole stack once and the final
answer is stored. Pages the middleware cannot handle (a gate that renders its own refusal, the ninja API)
are cached by the decorator as before; both kinds of entries sit under the same generation.

``SSJ_PORTAL_CACHE_SECONDS`` (default 300, 0 turns the cache off) bounds an entry's life, which is the worst
staleness for a change that reaches the database without a service (a direct SQL fix). With a read replica,
answers rendered within ``SSJ_PORTAL_CACHE_REPLICA_GRACE`` seconds (default 5) after a publication are not
stored: the replica may not have replayed the publication yet.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.http import http_date, parse_http_date_safe

from shuangsuiji.common.db_router import replica_configured, replica_reads

logger = logging.getLogger(__name__)
GENERATION_KEY = "ssj:portal:generation"
MAX_BYTES = 5 * 1024 * 1024
# Headers of the view's own answer worth keeping; the middleware adds the rest (security headers) on each hit.
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language", "X-Content-SHA256", "Cache-Control")
HIT_HEADER = "X-SSJ-Cache"
ViewT = TypeVar("ViewT", bound=Callable[..., HttpResponseBase])
Gate = Callable[[HttpRequest], HttpResponseBase | None]
# Paths whose views may be public pages (the middleware looks nowhere else).
PUBLIC_PREFIXES = ("/gs/", "/api/public/")
# Set on the request by the middleware: "allowed" (gate counted and passed; the middleware caches) or
# "refused" (gate counted and refused; the view renders the refusal with the full middleware stack).
FAST_PATH = "ssj_portal_fast_path"
# Headers of the final answer never stored: per answer (set again on every answer) or per client.
UNSTORED_HEADERS = frozenset({"set-cookie", "date", "etag", "last-modified", HIT_HEADER.lower()})


@dataclass(frozen=True)
class CountingGate:
    """A gate in two steps: ``allow`` counts the request (a rate limit) and says whether it may go on, ``refuse``
    renders the refusal. The middleware counts before its cache look-up; the refusal is rendered by the view,
    with the whole middleware stack (the template needs the request's user and messages)."""

    allow: Callable[[HttpRequest], bool]
    refuse: Callable[[HttpRequest], HttpResponseBase]

    def __call__(self, request: HttpRequest) -> HttpResponseBase | None:
        return None if self.allow(request) else self.refuse(request)


@dataclass(frozen=True)
class PublicPage:
    """What ``public_page`` marks its view with (read by the middleware)."""

    gate: Gate | None
    shared: bool


@dataclass(frozen=True)
class Entry:
    status: int
    content: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str
    rendered_at: float


def lifetime() -> int:
    return int(getattr(settings, "SSJ_PORTAL_CACHE_SECONDS", 300))


def generation() -> int:
    """The current generation (nanoseconds of the last publication, or of the first use of the cache)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY)
    return int(value) if value is not None else 0


def invalidate() -> None:
    """Drop every cached public answer now (use ``invalidate_on_commit`` inside a transaction).

    A cache server that is down does not stop a publication: the error is logged, and entries expire after
    ``SSJ_PORTAL_CACHE_SECONDS`` anyway."""
    try:
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)
    except Exception:
        logger.error("公开平台缓存不可用，发布后未能使缓存失效", exc_info=True)


def invalidate_on_commit() -> None:
    """Drop every cached public answer now and again once the current transaction commits.

    Now, so that this transaction's own later reads (and tests, which never commit) see fresh pages; after
    the commit again, because a page rendered from the old data in between would otherwise be stored under
    the new generation and outlive the publication.
    """
    invalidate()
    transaction.on_commit(invalidate)


def is_anonymous(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _key(request: HttpRequest, gen: int, language: str | None = None, kind: str = "page") -> str:
    query = "&".join(sorted(f"{k}={v}" for k, values in request.GET.lists() for v in values))
    raw = f"{request.path}?{query}|{language or translation.get_language()}"
    return f"ssj:portal:{kind}:{gen}:{hashlib.sha256(raw.encode('utf-8', 'surrogatepass')).hexdigest()}"


_last_generation = 0  # the generation this process saw last: guessed so that a hit costs one round trip


def _lookup(request: HttpRequest, language: str | None = None, kind: str = "page") -> tuple[int, str, Any]:
    """(generation, key, cached entry or None): the generation and the page under the generation seen last are
    fetched together; only right after a publication does a second round trip fetch the page again."""
    global _last_generation
    guess = _last_generation
    if guess:
        key = _key(request, guess, language, kind)
        found = cache.get_many([GENERATION_KEY, key])
        if found.get(GENERATION_KEY) == guess:
            return guess, key, found.get(key)
    gen = generation()
    _last_generation = gen
    key = _key(request, gen, language, kind)
    return gen, key, cache.get(key)


def _not_modified(request: HttpRequest, etag: str, rendered_at: float) -> bool:
    wanted = request.headers.get("If-None-Match")
    if wanted is not None:
        tags = [t.strip() for t in wanted.split(",")]
        return etag in tags or "*" in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and int(rendered_at) <= since


def _answer(request: HttpRequest, entry: Entry, hit: bool) -> HttpResponse:
    response: HttpResponse
    if _not_modified(request, entry.etag, entry.rendered_at):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(entry.content, status=entry.status)
        for name, value in entry.headers:
            response[name] = value
    response["ETag"] = entry.etag
    response["Last-Modified"] = http_date(entry.rendered_at)
    response.setdefault("Cache-Control", "public, max-age=60")
    response[HIT_HEADER] = "hit" if hit else "miss"
    return response


def _storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page carries a CSRF token: never share it
        return False
    control = response.get("Cache-Control", "")
    if "private" in control or "no-store" in control:
        return False
    return isinstance(response, HttpResponse) and len(response.content) <= MAX_BYTES


def serve(
    request: HttpRequest,
    render: Callable[[], HttpResponseBase],
    *,
    language: str | None = None,
    final: bool = False,
) -> HttpResponseBase:
    """The cached answer for ``request``, rendering (and storing) it with ``render`` when missing.

    ``final``: ``render`` gives the final answer (all middleware done, called by the middleware), so all its
    headers are stored and replayed; otherwise only the view's own (``KEPT_HEADERS``) and the middleware adds
    the rest on each hit."""
    seconds = lifetime()
    if seconds <= 0 or request.method != "GET" or not is_anonymous(request):
        return render()
    kind = "final" if final else "page"
    try:
        gen, key, entry = _lookup(request, language, kind)
    except Exception:  # the cache server is down: serve the page uncached rather than fail
        logger.warning("公开平台缓存不可用，本次请求不经缓存", exc_info=True)
        return render()
    if isinstance(entry, Entry):
        return _answer(request, entry, hit=True)
    response = render()
    if not _storable(request, response):
        return response
    assert isinstance(response, HttpResponse)
    content = response.content
    etag = response.get("ETag") or '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    entry = Entry(
        status=response.status_code, content=content,
        headers=tuple(
            (name, value) for name, value in response.items() if name.lower() not in UNSTORED_HEADERS
        ) if final else tuple((name, response[name]) for name in KEPT_HEADERS if name in response),
        etag=etag, rendered_at=time.time(),
    )
    grace = float(getattr(settings, "SSJ_PORTAL_CACHE_REPLICA_GRACE", 5))
    if not (replica_configured() and time.time() - gen / 1e9 < grace):
        try:
            cache.set(key, entry, seconds)
        except Exception:
            logger.warning("公开平台缓存不可用，页面未存入缓存", exc_info=True)
    if _not_modified(request, etag, entry.rendered_at):
        return _answer(request, entry, hit=False)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(entry.rendered_at)
    response[HIT_HEADER] = "miss"
    return response


def public_page(gate: Gate | None = None, *, shared: bool = True) -> Callable[[ViewT], ViewT]:
    """Serve the view's anonymous GET answers from the shared cache, rendering misses with reads on the
    replica (when configured); ``gate`` (a rate limit) runs first and may answer instead (429).
    ``shared=False``: never cached (a live check such as the server-side re-verification of a draw, which must
    notice a tampered record at once), only the gate and the replica reads apply."""

    def decorator(view: ViewT) -> ViewT:
        on_replica = replica_reads(view)

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            fast = getattr(request, FAST_PATH, None)
            if fast == "refused" and isinstance(gate, CountingGate):
                return gate.refuse(request)
            if fast is None and gate is not None:
                refused = gate(request)
                if refused is not None:
                    return refused
            if not shared or fast == "allowed":  # the middleware looks up and stores the final answer
                return on_replica(request, *args, **kwargs)
            return serve(request, lambda: on_replica(request, *args, **kwargs))

        wrapped.ssj_public_page = PublicPage(gate, shared)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


class PortalCacheMiddleware:
    """Answers cached public pages before the rest of the middleware stack runs (see the module docstring).

    Goes right after SecurityMiddleware (HTTPS redirect and its headers still apply to every answer) and
    WhiteNoise; anything it does not handle continues down the stack unchanged."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if (
            request.method != "GET"
            or not request.path_info.startswith(PUBLIC_PREFIXES)
            or lifetime() <= 0
            or not is_anonymous(request)
        ):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        page = getattr(match.func, "ssj_public_page", None)
        if not isinstance(page, PublicPage) or not page.shared:
            return self.get_response(request)
        if page.gate is not None:
            if not isinstance(page.gate, CountingGate):
                return self.get_response(request)  # the decorator runs this gate and caches
            if not page.gate.allow(request):
                setattr(request, FAST_PATH, "refused")
                return self.get_response(request)
        setattr(request, FAST_PATH, "allowed")
        # The language LocaleMiddleware will activate (part of the key, like the decorator's).
        language = translation.get_language_from_request(request)
        return serve(request, lambda: self.get_response(request), language=language, final=True)
