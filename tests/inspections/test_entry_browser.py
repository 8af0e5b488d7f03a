"""The phone entry page in a real browser at 390 px: no horizontal scrolling, the local draft survives a reload,
a submission made offline is sent when the connection returns, the signature pad produces a PNG."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from shuangsuiji.inspections.models import InspectionRecord, RecordStatus
from tests.conftest import World
from tests.inspections.factories import generated

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_phone_entry_draft_offline_and_signature(live_server: Any, world: World, monkeypatch: Any) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip("chromium is not installed")
    s, hotel, _ = generated(world)
    session = world.client("a_inspector").cookies["sessionid"].value
    url = f"{live_server.url}/inspections/records/{hotel.pk}/entry/"
    key = f"ssj-entry-{hotel.pk}"
    member_ids = [m.pk for m in hotel.members.all()]
    item_ids = [i.pk for i in hotel.items.all()]
    # playwright's sync API runs an event loop in this thread; the ORM checks below are plain sync calls
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                      device_scale_factor=2, locale="zh-CN")
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
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
        assert InspectionRecord.objects.get(pk=hotel.pk).status == RecordStatus.PENDING
        assert page.evaluate(f"JSON.parse(localStorage.getItem('{key}')).pending") is True

        context.set_offline(False)
        page.wait_for_url(f"**/inspections/records/{hotel.pk}/", timeout=15000)
        assert page.evaluate(f"localStorage.getItem('{key}')") is None
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        browser.close()
    record = InspectionRecord.objects.get(pk=hotel.pk)
    assert record.status == RecordStatus.SUBMITTED and record.signer_name == "店长 王经理"
    assert record.signature_file is not None and record.signature_file.mime == "image/png"
    assert not errors, errors
