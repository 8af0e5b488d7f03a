"""Crawl the whole portal (every link from /gs/, downloads and API included) and fail on personal data."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from tests.disclosure.factories import ID_NUMBER, PHONE, WORLD_ID_NUMBER, Portal

pytestmark = pytest.mark.django_db

ID_CARD = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx])(?![0-9A-Za-z])")
# 执法证号 such as 冀13060625001 (province abbreviation + digits) are published on purpose and are not phones.
PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新"
MOBILE = re.compile(rf"(?<![0-9A-Za-z{PROVINCES}])(1[3-9]\d{{9}})(?![0-9A-Za-z])")
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_check_ok(number: str) -> bool:
    total = sum(int(d) * w for d, w in zip(number[:17], WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


# The credit-risk class of a target, its risk flags and score are internal (DESIGN §4, issue 9): no page, download
# or API answer of the portal may carry them. Plans publish the sampling ratio per class, which names no target.
# (The published commitment rule names the fields in prose; only JSON keys and CSV header columns count.)
# The full record's "strata" (a list of objects, one per class) is internal; params' "strata" names the columns.
RISK_FIELDS = re.compile(r'"(?:risk_class|risk_flags|risk_score)"\s*:|"strata"\s*:\s*\[\s*\{|^id,.*\brisk_(?:class|flags|score)\b',
                         re.MULTILINE)


def risk_data(text: str) -> list[str]:
    """Risk attributes of individual targets: field names in JSON/CSV, or a target's class/flag label."""
    from shuangsuiji.directory.models import RiskClass, RiskFlag

    found = [m.group(0) for m in RISK_FIELDS.finditer(text)]
    found += [label for label in (*RiskClass.labels, *RiskFlag.labels) if label in text]
    return found


def personal_data(text: str) -> list[str]:
    found = [m for m in ID_CARD.findall(text) if id_check_ok(m)]
    found += MOBILE.findall(text)
    return found


def test_detector_finds_what_it_must() -> None:
    assert personal_data(f"身份证 {ID_NUMBER} 手机 {PHONE}") == [ID_NUMBER, PHONE]
    assert personal_data("11010119900307123X") == []  # wrong check digit: not an ID number
    assert personal_data("91130606MA0X00012K 电话 0375-7667951 共 1000000 户 执法证号 冀13060625001") == []
    assert personal_data("电话：13060625001") == ["13060625001"]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action") and value:
                self.links.append(value)


def crawl(portal: Portal) -> tuple[int, list[str]]:
    """Visit every /gs/ and /api/public/ URL reachable from the start pages; return (pages, problems)."""
    client = Client()
    start = ["/gs/", "/api/public/openapi.json", "/api/public/items", "/api/public/plans", "/api/public/joint-plans",
             "/api/public/tasks", "/api/public/results", "/api/public/announcements",
             f"/api/public/draws/{portal.draw.pk}", f"/api/public/draws/{portal.frozen_draw.pk}",
             f"/api/public/tasks/{portal.task.pk}", f"/api/public/results/{portal.results[0].pk}",
             f"/api/public/draws/{portal.draw.pk}/verification",
             f"/gs/draws/{portal.draw.pk}/verify/?id={portal.results[0].uscc}",
             "/gs/results/?q=宾馆", "/gs/results/?q=悦来宾馆"]
    queue = deque(start)
    seen: set[str] = set(start)
    pages = 0
    problems: list[str] = []
    while queue:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code not in (200, 404):
            problems.append(f"{url} answered {response.status_code}")
            continue
        body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        text = body.decode("utf-8-sig", errors="replace")
        pages += 1
        leaks = personal_data(text)
        leaks += [v for v in ("王联系人", WORLD_ID_NUMBER, "13812345678") if v in text]  # planted values
        leaks += risk_data(text)
        if leaks:
            problems.append(f"{url} shows personal data: {leaks}")
        if "html" not in response.get("Content-Type", ""):
            continue
        parser = Links()
        parser.feed(text)
        for link in parser.links:
            parts = urlsplit(urljoin(url, link))
            if parts.netloc or not (parts.path.startswith("/gs/") or parts.path.startswith("/api/public/")):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen and len(seen) < 500:
                seen.add(target)
                queue.append(target)
    return pages, problems


def test_crawl_whole_portal_finds_no_personal_data(portal: Portal, settings: Any) -> None:
    settings.SSJ_PUBLIC_SEARCH_RATE = (100_000, 60)  # the crawl is one client; limits are tested elsewhere
    pages, problems = crawl(portal)
    assert not problems, problems
    assert pages > 40, pages  # the crawl really walked the portal (pages, downloads, API)


def test_crawl_would_catch_a_leak(portal: Portal, settings: Any) -> None:
    settings.SSJ_PUBLIC_SEARCH_RATE = (100_000, 60)  # the crawl is one client; limits are tested elsewhere
    portal.results[0].__class__.objects.filter(pk=portal.results[0].pk).update(result_detail=f"联系电话{PHONE}")
    pages, problems = crawl(portal)
    assert any(PHONE in p for p in problems), problems


def test_crawl_would_catch_a_risk_class(portal: Portal, settings: Any) -> None:
    settings.SSJ_PUBLIC_SEARCH_RATE = (100_000, 60)
    assert risk_data('{"id": "91130606MA00000001", "risk_class": "C"}') == ['"risk_class":']
    assert risk_data('{"params": {"strata": ["risk_class"]}}') == []
    assert risk_data('{"strata": [{"key": ["C"], "selected": []}]}') == ['"strata": [{']
    assert risk_data("id,region,risk_flags\n91130606MA00000001,1,") == ["id,region,risk_flags"]
    portal.results[0].__class__.objects.filter(pk=portal.results[0].pk).update(result_detail="C类（信用风险较高）")
    pages, problems = crawl(portal)
    assert any("信用风险较高" in p for p in problems), problems
