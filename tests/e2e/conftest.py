"""Browser walk-through fixtures: a live server on a fresh database with the demo data, and Debian's chromium.

The server runs in its own process (``manage.py runserver --noreload``) with its own ``SSJ_VAR_DIR`` (SQLite
database, private files) in a temporary folder, so the walk-through never touches ``var/`` nor the test
database of the unit suites. Jobs run inline (``SSJ_HUEY_IMMEDIATE=1``): no consumer process is needed.

The tests are skipped, with the reason, when Playwright or /usr/bin/chromium is missing (``make e2e`` and
``scripts/test.sh`` install chromium with apt-get when they can). Never ``playwright install``: the browser
is Debian's.

``SSJ_E2E_SEED_DIR`` (optional, for working on the tests): a var folder that already holds a migrated database
with the demo loaded; it is copied instead of running migrate + ``ssj demo load`` (saves ~30 s per run).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess  # nosec B404 - starts our own server with a fixed argument list
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("SSJ_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]
PROJECT_DIR = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = PROJECT_DIR / "test-results" / "e2e"
DEMO_PASSWORD = "Demo@2026ssj"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(var_dir: Path, base: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSJ_")}
    env.update({
        "SSJ_VAR_DIR": str(var_dir), "SSJ_DEMO": "1", "SSJ_DEBUG": "1", "SSJ_HUEY_IMMEDIATE": "1",
        # links printed on the forms (抽取核验) and in e-mails point at this server
        "SSJ_PUBLIC_BASE_URL": base, "SSJ_SITE_URL": base,
        "DJANGO_SETTINGS_MODULE": "shuangsuiji.settings", "PYTHONUNBUFFERED": "1",
    })
    return env


def _manage(env: dict[str, str], *args: str, log: Path) -> None:
    with open(log, "ab") as out:
        subprocess.run(  # nosec B603
            [sys.executable, "-m", "shuangsuiji.manage", *args], env=env, check=True, stdout=out, stderr=out,
            cwd=PROJECT_DIR, timeout=600,
        )


@pytest.fixture(scope="session")
def ssj_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a server on a free local port, with a fresh database holding the demo data."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium) — browser walk-through skipped")
    pytest.importorskip("playwright.sync_api", reason="playwright not installed (make venv)")
    var_dir = tmp_path_factory.mktemp("e2e-var")
    log = var_dir.parent / "server.log"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = _server_env(var_dir, base)
    seed = os.environ.get("SSJ_E2E_SEED_DIR")
    if seed:
        shutil.copytree(seed, var_dir, dirs_exist_ok=True)
    else:
        _manage(env, "migrate", "--noinput", log=log)
        with open(log, "ab") as out:
            subprocess.run(  # nosec B603
                [sys.executable, "-m", "shuangsuiji.cli.main", "demo", "load"], env=env, check=True,
                stdout=out, stderr=out, cwd=PROJECT_DIR, timeout=600,
            )
    with open(log, "ab") as out:
        server = subprocess.Popen(  # nosec B603
            [sys.executable, "-m", "shuangsuiji.manage", "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env, stdout=out, stderr=out, cwd=PROJECT_DIR,
        )
    try:
        _wait_until_up(base, server, log)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped: see {log}\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(base + "/accounts/login/", timeout=5) as response:  # nosec B310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within 60 s: see {log}")


@pytest.fixture(scope="session")
def browser(ssj_server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOT_DIR.glob("*.png"):
        old.unlink()
    return SCREENSHOT_DIR


@dataclass
class Session:
    """One user's browser context: the page, and every console error, 5xx answer and dialog seen."""

    page: Any
    base: str
    shots: Path
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        return response

    def text(self) -> str:
        return str(self.page.inner_text("body"))

    def shot(self, name: str, *, full_page: bool = True) -> Path:
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def check_clean(self) -> None:
        assert not self.errors, "browser console errors or HTTP 5xx:\n" + "\n".join(self.errors)


@dataclass
class Browsers:
    browser: Any
    base: str
    shots: Path
    sessions: list[Session] = field(default_factory=list)

    def open(self, username: str | None, *, viewport: dict[str, int] | None = None) -> Session:
        context = self.browser.new_context(
            viewport=viewport or DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True,
            is_mobile=viewport == PHONE, has_touch=viewport == PHONE,
        )
        context.set_default_timeout(30_000)
        page = context.new_page()
        session = Session(page=page, base=self.base, shots=self.shots)

        def on_console(message: Any) -> None:
            if message.type == "error":
                session.errors.append(f"console: {message.text} ({page.url})")

        def on_response(response: Any) -> None:
            if response.status >= 500:
                session.errors.append(f"HTTP {response.status}: {response.url}")

        def on_dialog(dialog: Any) -> None:
            session.dialogs.append(dialog.message)
            dialog.accept()

        page.on("console", on_console)
        page.on("pageerror", lambda error: session.errors.append(f"page error: {error} ({page.url})"))
        page.on("response", on_response)
        page.on("dialog", on_dialog)
        self.sessions.append(session)
        if username is not None:
            session.go("/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", DEMO_PASSWORD)
            page.click("form button[type=submit]")
            page.wait_for_load_state("load")
            assert "/accounts/login/" not in page.url, f"{username} could not log in: {session.text()[:500]}"
        return session

    def close_all(self) -> None:
        for session in self.sessions:
            session.page.context.close()
        self.sessions.clear()


@pytest.fixture
def browsers(browser: Any, ssj_server: str, screenshot_dir: Path) -> Iterator[Browsers]:
    """Opens logged-in pages; after the test, fails on any console error or 5xx seen by any of them."""
    opened = Browsers(browser=browser, base=ssj_server, shots=screenshot_dir)
    yield opened
    errors = [e for s in opened.sessions for e in s.errors]
    opened.close_all()
    assert not errors, "browser console errors or HTTP 5xx:\n" + "\n".join(errors)


@pytest.fixture(scope="session")
def walk() -> dict[str, Any]:
    """What one step leaves for the next (task id, draw id, ...): the steps run in file order."""
    return {}
