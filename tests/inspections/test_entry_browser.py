"""The phone entry page in a real browser at 390 px: no horizontal scrolling, the local draft survives a reload,
a submission made offline is sent when the connection returns, the signature pad produces a PNG.

The browser's requests are answered in-process by Django's test client (Playwright request routing), so the
test runs inside the ordinary test transaction on SQLite and PostgreSQL: no live server thread, no flush of
the seeded tables afterwards.
"""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from shuangsuiji.inspections.models import InspectionRecord, RecordStatus
from tests.conftest import World
from tests.inspections.factories import generated

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

BASE = "http://ssj.test"
TEST_CONNECTION: dict[str, Any] = {}

# `browser`, not `e2e`: it runs in the ordinary suites on SQLite and PostgreSQL (skipped without chromium).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _serve(route: Any, request: Any) -> None:
    """Answer one browser request with the Django test client (same thread, same transaction).

    Redirects are followed here (a redirect fulfilled through routing is not routed again by Chromium), so the
    browser gets the final page under the URL it asked for.
    """
    from urllib.parse import urlsplit

    from django.db import connections
    from django.test import Client

    # Playwright calls this inside its event loop, where Django's connection handler is context-local and
    # would open a second connection that cannot see the test's transaction: hand it the test's connection.
    connections["default"] = TEST_CONNECTION["default"]
    parts = urlsplit(request.url)
    if parts.netloc != "ssj.test":
        route.abort()
        return
    headers = request.headers
    client = Client(SERVER_NAME="ssj.test")
    client.cookies.load(headers.get("cookie", ""))
    extra = {"HTTP_ACCEPT": headers.get("accept", "*/*"), "HTTP_REFERER": headers.get("referer", BASE + "/")}
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    response = client.generic(
        request.method, path, data=request.post_data_buffer or b"", content_type=headers.get("content-type", ""),
        **extra,
    )
    for _ in range(5):
        if response.status_code not in (301, 302, 303) or not response.get("Location", "").startswith(("/", BASE)):
            break
        response = client.get(response["Location"].removeprefix(BASE), **extra)
    content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    reply = dict(response.headers.items())
    cookies = [morsel.OutputString() for morsel in client.cookies.values()]
    if cookies:
        reply["set-cookie"] = "\n".join(cookies)
    route.fulfill(status=response.status_code, headers=reply, body=content)


def test_phone_entry_draft_offline_and_signature(world: World, monkeypatch: Any, settings: Any) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip("chromium is not installed")
    s, hotel, _ = generated(world)
    session = world.client("a_inspector").cookies["sessionid"].value
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "ssj.test"]
    from django.db import connections

    TEST_CONNECTION["default"] = connections["default"]
    url = f"{BASE}/inspections/records/{hotel.pk}/entry/"
    key = f"ssj-entry-{hotel.pk}"
    member_ids = [m.pk for m in hotel.members.all()]
    item_ids = [i.pk for i in hotel.items.all()]
    # playwright's sync API runs an event loop in this thread; the ORM calls made under it are plain sync calls
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                      device_scale_factor=2, locale="zh-CN")
        context.add_cookies([{"name": "sessionid", "value": session, "url": BASE}])
        context.route("**/*", _serve)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.fill("#id_inspected_on", "2026-11-20")
        for member_id in member_ids:
            page.check(f'input[name="present"][value="{member_id}"]')
        for item_id in item_ids:
            page.locator(f'label:has(input[name="finding_{item_id}"][value="pass"])').click()  # a tap on the label
            assert page.is_checked(f'input[name="finding_{item_id}"][value="pass"]')
        page.check('input[name="codes"][value="10"]')
        page.check('input[name="signature_kind"][value="pad"]')
        assert page.is_visible("#ssj-signature-pad") and not page.is_visible("#id_refusal_witness")
        box = page.locator("#ssj-signature-pad").bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + 20, box["y"] + 40)
        page.mouse.down()
        for step in range(1, 12):
            page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 40 + (step % 3) * 30)
        page.mouse.up()
        page.fill("#id_signer_name", "店长 王经理")
        page.fill("#id_situation", "现场检查未见异常（离线草稿）")
        # (polled from here: the page's CSP forbids the eval that wait_for_function would need)
        for _ in range(50):
            if page.evaluate(f"JSON.parse(localStorage.getItem('{key}') || '{{}}').fields?.situation?.length > 0"):
                break
            page.wait_for_timeout(100)

        page.reload()
        assert page.is_visible("#ssj-draft-banner")
        assert page.input_value("#id_situation") == "现场检查未见异常（离线草稿）"
        assert page.input_value('input[name="signature_data"]').startswith("data:image/png;base64,")
        assert page.is_checked('input[name="codes"][value="10"]')

        context.set_offline(True)
        page.click("#ssj-entry button[type=submit]")
        assert page.is_visible("#ssj-offline-banner")
        connections["default"] = TEST_CONNECTION["default"]  # see _serve
        assert InspectionRecord.objects.get(pk=hotel.pk).status == RecordStatus.PENDING
        assert page.evaluate(f"JSON.parse(localStorage.getItem('{key}')).pending") is True

        context.set_offline(False)  # the page submits by itself and shows the record (已提交待审核)
        page.wait_for_selector("[data-ssj-clear-draft]", state="attached", timeout=15000)
        page.wait_for_load_state("load")
        assert "检查结果已提交" in page.content()
        assert page.evaluate(f"localStorage.getItem('{key}')") is None
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        browser.close()
    record = InspectionRecord.objects.get(pk=hotel.pk)
    assert record.status == RecordStatus.SUBMITTED and record.signer_name == "店长 王经理"
    assert record.signature_file is not None and record.signature_file.mime == "image/png"
    assert not errors, errors
