"""The draw wizard through the pages: each step, refusals shown as messages, scope."""

from __future__ import annotations

import io
import json
import zipfile

from shuangsuiji.draws.models import Assignment, DrawStatus, InspectorMatch, TargetDraw
from shuangsuiji.planning.models import TaskState
from tests.conftest import World
from tests.draws.factories import add_inspectors, populated_task


def test_wizard_walk_through(world: World) -> None:
    task = populated_task(world)
    add_inspectors(world, count=4)
    admin = world.client("a_admin")
    page = admin.get(f"/draws/tasks/{task.pk}/")
    assert page.status_code == 200 and "冻结对象池" in page.content.decode()

    response = admin.post(
        f"/draws/tasks/{task.pk}/freeze/", {"randomness_kind": "announced", "randomness_source": "2026年3月1日 福彩3D"}
    )
    assert response.status_code == 302
    draw = TargetDraw.objects.get(task=task)
    page = admin.get(f"/draws/tasks/{task.pk}/").content.decode()
    assert draw.pool_digest in page and "抽取" in page

    response = admin.post(f"/draws/{draw.pk}/execute/", {"randomness": "2026-03-01 福彩3D 4 1 8\n"})
    assert response.status_code == 302 and response["Location"] == f"/draws/{draw.pk}/"
    detail = admin.get(f"/draws/{draw.pk}/").content.decode()
    assert "高风险必查" in detail and "ssj draw verify" in detail and "双人确认" in detail

    # the operator cannot confirm; the message says why
    response = admin.post(f"/draws/{draw.pk}/confirm/", follow=True)
    assert "另一人" in response.content.decode()
    response = world.client("a_leader").post(f"/draws/{draw.pk}/confirm/", follow=True)
    assert "已确认并锁定" in response.content.decode()
    draw.refresh_from_db()
    assert draw.status == DrawStatus.CONFIRMED

    response = admin.post(
        f"/draws/{draw.pk}/match/", {"randomness": "2026-03-02 双色球 01 05 11 20 27 33 + 07", "fallback": "adjacent"}
    )
    match = InspectorMatch.objects.get(task=task)
    assert response.status_code == 302 and response["Location"] == f"/draws/matches/{match.pk}/"
    detail = admin.get(f"/draws/matches/{match.pk}/").content.decode()
    assert "公平性报告" in detail and "最大单对概率" in detail and "ssj match verify" in detail
    # The randomness report: the paragraph, and per target its eligible count against the uniform share.
    assert "每名合格执法人员的机会" in detail and "组员人数 ÷ 合格人数" in detail
    first = match.record["fairness"]["targets"][0]
    assert f"{first['uniform_share'] * 100:.1f}%" in detail and match.record["fairness"]["pair_digest"] in detail
    task.refresh_from_db()
    assert task.state == TaskState.INSPECTORS_MATCHED
    page = admin.get(f"/draws/tasks/{task.pk}/").content.decode()
    assert "确认人员匹配" in page and "须由另一人确认" in page  # the operator cannot confirm the teams
    response = world.client("a_leader").post(f"/draws/matches/{match.pk}/confirm/", follow=True)
    assert "人员匹配结果已确认" in response.content.decode()
    assert "全部步骤已完成" in admin.get(f"/draws/tasks/{task.pk}/").content.decode()

    victim = Assignment.objects.filter(match=match).first()
    assert victim is not None
    response = admin.post(
        f"/draws/assignments/{victim.pk}/replace/", {"reason": "发现利害关系", "randomness": "2026-03-03 福彩3D 1 2 3"}
    )
    new = InspectorMatch.objects.get(previous=match)
    assert response["Location"] == f"/draws/matches/{new.pk}/"
    assert "已替换为" in admin.get(f"/draws/matches/{match.pk}/").content.decode()


def test_downloads_and_server_side_verify(world: World) -> None:
    from tests.draws.factories import sample_match

    match = sample_match(world)
    admin = world.client("a_admin")
    record = admin.get(f"/draws/{match.draw_id}/record.json")
    assert record["Content-Disposition"].startswith("attachment") and json.loads(record.content)["record_digest"]
    pool = admin.get(f"/draws/{match.draw_id}/pool.csv")
    assert pool.content.startswith(b"id,") or b"," in pool.content.splitlines()[0]
    assert "一致" in admin.get(f"/draws/{match.draw_id}/verify/").content.decode()
    archive = zipfile.ZipFile(io.BytesIO(admin.get(f"/draws/matches/{match.pk}/inputs.zip").content))
    assert {"targets.csv", "inspectors.csv", "conflicts.csv", "history.csv", "adjacency.csv", "params.json",
            "record.json"} <= set(archive.namelist())
    page = admin.get(f"/draws/matches/{match.pk}/verify/").content.decode()
    assert "一致" in page and "不一致" not in page


def test_unstaffed_targets_are_listed_on_the_page(world: World) -> None:
    from tests.draws.factories import add_targets, confirmed, make_task

    add_targets(world)
    add_inspectors(world, count=2)
    task = make_task(world, max_targets_per_inspector=1)
    draw = confirmed(world, task)
    response = world.client("a_admin").post(
        f"/draws/{draw.pk}/match/", {"randomness": "1 2 3", "fallback": "none"}
    )
    body = response.content.decode()
    assert response.status_code == 400 and "无法配齐检查组的对象" in body and "建议" in body
    assert not InspectorMatch.objects.exists()


def test_other_county_and_roles(world: World) -> None:
    task = populated_task(world)
    assert world.client("b_admin").get(f"/draws/tasks/{task.pk}/").status_code == 404
    page = world.client("a_inspector").get(f"/draws/tasks/{task.pk}/").content.decode()
    assert "需由本单位双随机办管理员操作" in page
    response = world.client("a_staff").post(
        f"/draws/tasks/{task.pk}/freeze/", {"randomness_kind": "announced", "randomness_source": "x"}
    )
    assert response.status_code == 302 and not TargetDraw.objects.exists()


def test_index_lists_visible_tasks(world: World) -> None:
    task = populated_task(world)
    assert task.code in world.client("a_admin").get("/draws/").content.decode()
    assert task.code not in world.client("b_admin").get("/draws/").content.decode()


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_pages_do_not_grow_queries_with_rows(world: World) -> None:
    from tests.draws.factories import add_targets, make_task, matched

    add_inspectors(world, count=12)
    add_targets(world, counts={"B": 10})
    small = matched(world, make_task(world, code="RW-S", ratios={"B": 20}))
    add_targets(world, counts={"B": 30}, salt="1")
    large = matched(world, make_task(world, code="RW-L", ratios={"B": 60}))
    assert large.assignments.count() > 2 * small.assignments.count()
    client = world.client("a_admin")
    client.get("/")  # the first request of a session does one-off security checks (password age, 2FA)
    for template in ("/draws/matches/{}/", "/draws/{}/"):
        ids = (small.pk, large.pk) if "matches" in template else (small.draw_id, large.draw_id)
        counts = [_queries(client, template.format(pk)) for pk in ids]
        assert counts[0] == counts[1], (template, counts)
