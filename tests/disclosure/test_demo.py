"""The demo end to end: all four kinds of announcement with real demo content, a verifiable draw, no PII."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from shuangsuiji.directory.models import Inspector
from shuangsuiji.disclosure.demo import load_demo_disclosure
from shuangsuiji.disclosure.models import PublishedPenalty, PublishedResult
from shuangsuiji.draws.models import TargetDraw
from tests.disclosure.test_pii_crawl import Links, personal_data

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 25)


def build_demo() -> None:
    """The whole demo (DEMO_STEPS: libraries, plans, draws, 一企一表, publication of reviewed results)."""
    from shuangsuiji.demo.loader import load_demo

    load_demo(size=400, inspectors=60, today=TODAY)


# The demo's 执法证号 (冀 + 区划码 + 年 + 序号) are published on purpose; the detector does not take them for phones.
LICENCE_NUMBERS: set[str] = set()  # nothing is allowed


def crawl(start: list[str], limit: int = 300) -> tuple[int, list[str]]:
    from collections import deque
    from urllib.parse import urljoin, urlsplit

    client, queue, seen, pages, problems = Client(), deque(start), set(start), 0, []
    while queue:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code not in (200, 404):
            problems.append(f"{url}: {response.status_code}")
            continue
        body: Any = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        text = body.decode("utf-8-sig", errors="replace")
        pages += 1
        if leaks := [x for x in personal_data(text) if x not in LICENCE_NUMBERS]:
            problems.append(f"{url}: {leaks}")
        if "html" in response.get("Content-Type", ""):
            parser = Links()
            parser.feed(text)
            for link in parser.links:
                parts = urlsplit(urljoin(url, link))
                path = parts.path + (f"?{parts.query}" if parts.query else "")
                if not parts.netloc and parts.path.startswith(("/gs/", "/api/public/")) and path not in seen \
                        and len(seen) < limit:
                    seen.add(path)
                    queue.append(path)
    return pages, problems


def test_demo_portal_shows_everything_verifies_and_leaks_nothing(settings: Any) -> None:
    settings.SSJ_PUBLIC_SEARCH_RATE = (100_000, 60)  # the crawl is one client; limits are tested elsewhere
    build_demo()
    assert PublishedResult.objects.count() >= 3 and PublishedPenalty.objects.count() == 1
    assert load_demo_disclosure(today=TODAY)["results"] == 0  # idempotent

    index = Client().get("/gs/").content.decode()
    for kind in ("抽查事项", "年度抽查计划", "联合抽查计划", "工作方案", "抽取公告", "抽取结果", "抽查结果"):
        assert kind in index, kind
    draw = TargetDraw.objects.exclude(record=None).first()
    assert draw is not None
    verify = Client().get(f"/gs/draws/{draw.pk}/verify/").content.decode()
    assert 'id="verdict">一致<' in verify
    # the demo signs today's tree head: the 透明日志 and the draw's inclusion proof are there from the start
    assert "还没有签名树头" not in Client().get("/gs/transparency/").content.decode()
    assert Client().get(f"/gs/draws/{draw.pk}/inclusion.json").status_code == 200
    record = draw.record
    assert record is not None
    record["randomness"] = ["被篡改的随机数"]
    TargetDraw.objects.filter(pk=draw.pk).update(record=record)
    assert 'id="verdict">不一致<' in Client().get(f"/gs/draws/{draw.pk}/verify/").content.decode()

    penalty = PublishedPenalty.objects.get()
    assert penalty.decision_no in Client().get(f"/gs/results/{penalty.result_id}/").content.decode()
    some = PublishedResult.objects.first()
    assert some is not None
    assert all(n.startswith("冀") for n in Inspector.objects.exclude(licence_no="").values_list("licence_no", flat=True))
    pages, problems = crawl(["/gs/", "/api/public/results", "/api/public/tasks", f"/gs/results/?q={some.uscc}",
                             f"/gs/draws/{draw.pk}/verify/?id={some.uscc}"])
    assert not problems, problems
    assert pages > 30, pages
