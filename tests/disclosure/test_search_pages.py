"""Result search pages: the PostgreSQL fragment path (ids first, then the page) gives exactly what the plain
ordered query gives, for rare fragments (≤ COUNT_CAP matches) and common ones (walked in id order)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from shuangsuiji.directory.models import Target
from shuangsuiji.disclosure import selectors_results
from shuangsuiji.disclosure.models import PublishedResult, ResultGroup
from shuangsuiji.disclosure.search import bigrams, normalize_name
from tests.disclosure.factories import Portal

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _expected(filters: selectors_results.ResultFilters, page: int) -> tuple[list[int], int]:
    qs, _ = selectors_results.filtered_results(filters)
    ids = list(qs.values_list("pk", flat=True))
    start = (page - 1) * selectors_results.PAGE_SIZE
    return ids[start : start + selectors_results.PAGE_SIZE], len(ids)


def test_fragment_pages_equal_the_ordered_query(portal: Portal, monkeypatch: pytest.MonkeyPatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the ids-first fragment path is PostgreSQL's (run with SSJ_DB_ENGINE=postgresql)")
    task = portal.task
    region = portal.world.regions["a"]
    target = Target.objects.create(owner=task.owner, uscc="92130606MA0SEARCH1", code="S1", name="莲池区搜索测试宾馆",
                                   address="一号", region=region)
    for n in range(45):
        PublishedResult.objects.create(
            owner=task.owner, source_key=f"search-test:{n}", task=task, task_code=task.code, task_title=task.title,
            organization_name="莲池区卫生健康局", target=target, uscc="", enterprise_name=f"莲池区搜索测试{n}号宾馆",
            name_search=normalize_name(f"莲池区搜索测试{n}号宾馆"), name_bigrams=bigrams(normalize_name(f"莲池区搜索测试{n}号宾馆")),
            region=region, year=2026, inspected_on=datetime.date(2026, 3, 1), result_group=ResultGroup.NO_PROBLEM,
            result_label="未发现问题", published_at=task.created_at,
        )
    for cap in (1000, 10):  # 10: the same searches take the "common fragment" path
        monkeypatch.setattr(selectors_results, "COUNT_CAP", cap)
        for q in ("搜索", "搜索测试", "测试1", "宾馆"):
            filters = selectors_results.ResultFilters(q=q)
            for page in (1, 2, 3):
                got = selectors_results.search_results(filters, page=page)
                ids, total = _expected(filters, min(page, got.pages))
                assert [r.pk for r in got.rows] == ids, (cap, q, page)
                assert got.total == min(total, cap + 1), (cap, q)
