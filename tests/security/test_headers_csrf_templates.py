"""Security headers, CSRF on every form, and templates without inline script (so the CSP holds)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.template import engines
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import World


def test_security_headers_on_pages(world: World) -> None:
    response = world.client("a_admin").get("/directory/targets/")
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    login = Client().get("/accounts/login/")
    assert "Content-Security-Policy" in login and login["X-Frame-Options"] == "DENY"


def test_api_docs_are_served_locally() -> None:
    assert "ninja" in settings.INSTALLED_APPS  # otherwise django-ninja loads Swagger UI from a CDN


def _template_files() -> list[Path]:
    dirs: list[Path] = []
    for engine in engines.all():
        dirs.extend(Path(d) for d in engine.template_dirs)  # type: ignore[attr-defined]
    src = Path(__file__).resolve().parents[2] / "src"
    return sorted(p for d in dirs if str(d).startswith(str(src)) for p in d.rglob("*.html"))


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.I)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.I)
STYLE_BLOCK = re.compile(r"<style[\s>]", re.I)


def test_templates_have_no_inline_script_or_style_blocks() -> None:
    files = _template_files()
    assert files
    problems = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for name, pattern in (("inline <script>", INLINE_SCRIPT), ("event handler attribute", EVENT_HANDLER),
                              ("javascript: URL", JS_URL), ("<style> block", STYLE_BLOCK)):
            if pattern.search(text):
                problems.append(f"{path.name}: {name}")
    assert not problems, "CSP forbids these (move code to static files): " + "; ".join(problems)


def test_csrf_is_enforced_on_forms(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["a_staff"])
    assert client.post("/accounts/password/change/", {}).status_code == 403
    assert client.post(f"/directory/targets/{world.targets['a'].pk}/retire/", {"reason": "x"}).status_code == 403


def test_session_authenticated_api_writes_need_csrf(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["a_staff"])
    response = client.patch(
        f"/api/directory/targets/{world.targets['a'].pk}", '{"name": "x"}', content_type="application/json"
    )
    assert response.status_code == 403


def _callbacks(resolver: URLResolver) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name in ("admin", "ninja") or entry.namespace == "api":
                continue  # admin: Django's own; API: ninja checks CSRF for cookie sessions (test above)
            found.extend(_callbacks(entry))
        elif isinstance(entry, URLPattern):
            found.append((str(entry.pattern), entry.callback))
    return found


def test_no_page_is_csrf_exempt() -> None:
    exempt = [name for name, cb in _callbacks(get_resolver()) if getattr(cb, "csrf_exempt", False)]
    assert not exempt, f"csrf_exempt views: {exempt}"
