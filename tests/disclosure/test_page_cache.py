"""The portal's shared page cache (disclosure/page_cache.py): same answer for every anonymous visitor, dropped
by every publication, never shared with or from a logged-in user, HTTP validators honoured."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.http import http_date

from shuangsuiji.directory.models import Specialty, Target
from shuangsuiji.disclosure import page_cache, services
from shuangsuiji.disclosure.apps import is_public_event
from shuangsuiji.disclosure.models import PublishedResult, ResultGroup
from tests.disclosure.factories import ID_NUMBER, PHONE, Portal

pytestmark = pytest.mark.django_db


def _state(response: Any) -> str:
    return str(response.get(page_cache.HIT_HEADER, ""))


def test_anonymous_pages_are_served_from_the_cache_with_validators(portal: Portal) -> None:
    for url in ("/gs/", "/gs/tasks/", f"/gs/tasks/{portal.task.pk}/", "/gs/results/?q=宾馆", "/gs/data/items.csv",
                "/api/public/tasks", f"/gs/draws/{portal.draw.pk}/record.json", "/gs/feed/"):
        first = Client().get(url)
        second = Client().get(url)
        assert first.status_code == 200 and (_state(first), _state(second)) == ("miss", "hit"), url
        assert second.content == first.content and second["ETag"] == first["ETag"], url
        assert second["Last-Modified"] and "public" in second["Cache-Control"], url
        # the security headers are added on every answer, cached or not
        assert "Content-Security-Policy" in second and second["X-Frame-Options"] == "DENY", url
        assert Client().get(url, HTTP_IF_NONE_MATCH=second["ETag"]).status_code == 304, url
        assert Client().get(url, HTTP_IF_MODIFIED_SINCE=second["Last-Modified"]).status_code == 304, url
        assert Client().get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200, url
    old = http_date(timezone.now().timestamp() - 3600)
    assert Client().get("/gs/", HTTP_IF_MODIFIED_SINCE=old).status_code == 200
    # a different query is a different page
    assert _state(Client().get("/gs/results/?q=宾馆&page=2")) == "miss"


def test_a_publication_drops_the_cached_pages_at_once(portal: Portal) -> None:
    task, admin = portal.task, portal.world.users["a_admin"]
    target = Target.objects.create(
        owner=task.owner, uscc="92130606MA0TEST01X", code="92130606MA0TEST01X", name="莲池区缓存测试浴池",
        address="莲池区一号", region=portal.world.regions["a"],
    )
    search = "/gs/results/?q=缓存测试"
    pages = [search, f"/gs/tasks/{task.pk}/results/", "/api/public/results?q=缓存测试"]
    for url in pages:
        Client().get(url)
        assert _state(Client().get(url)) == "hit"
    assert "莲池区缓存测试浴池" not in Client().get(search).content.decode()
    Client().get("/gs/")

    services.results_publish(actor=admin, task=task, entries=[services.ResultEntry(
        source_key="cache-test:1", target=target, inspected_on=datetime.date(2026, 3, 11),
        result_group=ResultGroup.NO_PROBLEM, result_label="未发现问题",
        specialties=(Specialty.objects.get(code="public_places"),),
    )])
    for url in pages:
        response = Client().get(url)
        text = str(response.json()) if url.startswith("/api/") else response.content.decode()
        assert _state(response) == "miss" and "缓存测试浴池" in text, url
    assert _state(Client().get("/gs/")) == "miss"
    # withholding it again takes it off the cached pages just as fast
    result = PublishedResult.objects.get(source_key="cache-test:1")
    Client().get(search)
    services.result_withhold(actor=admin, result=result, reason="法院裁定撤销")
    assert "缓存测试浴池" not in Client().get(search).content.decode()


def test_the_cache_is_dropped_again_when_the_transaction_commits(
    portal: Portal, django_capture_on_commit_callbacks: Any
) -> None:
    """Pages rendered between the write and its commit show the old data: the commit drops them too."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page_cache.invalidate_on_commit()
        Client().get("/gs/")
        assert _state(Client().get("/gs/")) == "hit"
    for callback in callbacks:
        callback()
    assert _state(Client().get("/gs/")) == "miss"


def test_public_events_are_the_portal_changing_ones() -> None:
    for event in ("disclosure.results_publish", "disclosure.penalty_publish", "disclosure.result_withhold",
                  "item.publish", "plan.publish", "joint_plan.adjust", "scheme.publish", "draw.confirm",
                  "match.confirm", "task.transition", "calendar.day_save", "import.items"):
        assert is_public_event(event), event
    for event in ("auth.login", "inspection.submit", "followup.open", "report.monthly.submit", "target.update"):
        assert not is_public_event(event), event


def test_logged_in_users_never_get_or_leave_a_shared_page(portal: Portal) -> None:
    anonymous = Client().get("/gs/tasks/")
    assert _state(Client().get("/gs/tasks/")) == "hit"
    staff = portal.world.client("a_admin")
    mine = staff.get("/gs/tasks/")
    assert _state(mine) == "" and "private" in mine["Cache-Control"]
    assert mine.content != anonymous.content and "返回工作平台" in mine.content.decode()
    assert "返回工作平台" not in Client().get("/gs/tasks/").content.decode()
    # a page first rendered for staff is not stored for the public either
    staff.get("/gs/plans/")
    assert _state(Client().get("/gs/plans/")) == "miss"


def test_cached_pages_hold_no_personal_data(portal: Portal) -> None:
    urls = ["/gs/", "/gs/tasks/", f"/gs/tasks/{portal.task.pk}/", f"/gs/draws/{portal.draw.pk}/",
            f"/gs/draws/{portal.draw.pk}/pool.csv", "/gs/results/?q=宾馆", "/api/public/results?year=2026",
            "/gs/data/results.csv", "/gs/data/inspectors.csv"]
    for url in urls:
        Client().get(url)
        response = Client().get(url)
        if response.status_code != 200:
            continue
        body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        text = body.decode("utf-8-sig")
        assert PHONE not in text and ID_NUMBER not in text and "王联系人" not in text, url


def test_the_verification_page_is_recomputed_every_time(portal: Portal) -> None:
    url = f"/gs/draws/{portal.draw.pk}/verify/"
    Client().get(url)
    assert _state(Client().get(url)) == ""
    assert _state(Client().get(f"/api/public/draws/{portal.draw.pk}/verification")) == ""


def test_cache_can_be_turned_off(portal: Portal, settings: Any) -> None:
    settings.SSJ_PORTAL_CACHE_SECONDS = 0
    Client().get("/gs/")
    assert _state(Client().get("/gs/")) == ""


def test_cached_searches_still_count_against_the_rate_limit(portal: Portal, settings: Any) -> None:
    settings.SSJ_PUBLIC_SEARCH_RATE = (3, 60)
    client = Client()
    states = [_state(client.get("/api/public/results?q=宾馆")) for _ in range(3)]
    assert states == ["miss", "hit", "hit"]
    refused = client.get("/api/public/results?q=宾馆")
    assert refused.status_code == 429 and "请求过于频繁" in refused.json()["detail"]


class _DownCache:
    """A cache whose server does not answer."""

    def __getattr__(self, name: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise ConnectionError("cache server down")

        return fail


def test_a_cache_server_that_is_down_neither_breaks_the_portal_nor_publication(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(page_cache, "cache", _DownCache())
    response = Client().get("/gs/tasks/")
    assert response.status_code == 200 and _state(response) == ""
    page_cache.invalidate_on_commit()  # logged, not raised: the publication's transaction goes on


def test_search_form_choices_are_a_fragment_dropped_by_publication(portal: Portal) -> None:
    from shuangsuiji.disclosure import selectors_results
    from shuangsuiji.disclosure.models import ResultRelease
    from shuangsuiji.planning.models import Task

    assert 2019 not in dict(selectors_results.search_choices().years)
    Task.objects.filter(pk=portal.draft_task.pk).update(year=2019)
    ResultRelease.objects.create(owner=portal.draft_task.owner, task=portal.draft_task, title="2019年结果公示",
                                 published_at=timezone.now())
    assert 2019 not in dict(selectors_results.search_choices().years)  # cached fragment
    page_cache.invalidate_on_commit()  # what every publication does
    assert 2019 in dict(selectors_results.search_choices().years)


def test_a_hit_is_answered_by_the_middleware_before_the_view_and_the_rest_of_the_stack(
    portal: Portal, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    from shuangsuiji.disclosure import selectors_results

    url = "/gs/results/?q=宾馆&year=2026"
    first = Client().get(url)
    assert _state(first) == "miss"

    def not_again(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the search ran again for a cached page")

    monkeypatch.setattr(selectors_results, "search_results", not_again)
    with django_assert_num_queries(0):  # no session, no user, no query
        second = Client().get(url)
    assert _state(second) == "hit" and second.content == first.content
    # the headers the inner middleware added to the first answer are replayed
    for name in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options", "Content-Language", "Vary"):
        assert second[name] == first[name], name
    assert second["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware runs outside: on every answer


def test_the_search_page_refusal_is_rendered_by_the_view_after_the_middleware_counted(
    portal: Portal, settings: Any
) -> None:
    settings.SSJ_PUBLIC_SEARCH_RATE = (3, 60)
    client = Client()
    states = [_state(client.get("/gs/results/?q=宾馆")) for _ in range(3)]
    assert states == ["miss", "hit", "hit"]
    refused = client.get("/gs/results/?q=宾馆")
    assert refused.status_code == 429 and "请求过于频繁" in refused.content.decode() and _state(refused) == ""
    assert client.get("/gs/results/").status_code == 200  # the list without conditions is not a search


def test_pages_the_middleware_does_not_handle_are_still_cached_by_the_view(portal: Portal) -> None:
    """The ninja API (its views are not resolved to a marked function) goes through the decorator."""
    url = "/api/public/tasks"
    Client().get(url)
    response = Client().get(url)
    assert _state(response) == "hit" and "Content-Security-Policy" in response
