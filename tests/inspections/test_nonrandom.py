"""Non-random inspections (投诉举报、转办交办、专项检查): their own kind of task with the source, the same
一企一表/result/publication path, counted apart and never in 双随机 coverage."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory.models import ConflictDeclaration, InspectorKind
from shuangsuiji.disclosure.models import PublishedResult
from shuangsuiji.disclosure.services import results_publish_task
from shuangsuiji.inspections.models import MemberSource, RecordStatus
from shuangsuiji.inspections.nonrandom import nonrandom_records_generate
from shuangsuiji.inspections.services import record_review, record_submit_result, records_generate_for_task
from shuangsuiji.oversight.dashboard import Period
from shuangsuiji.oversight.dashboard_results import inspected_queryset
from shuangsuiji.oversight.nonrandom_stats import nonrandom_figures
from shuangsuiji.planning.models import TaskKind, TaskState
from shuangsuiji.planning.nonrandom import nonrandom_task_create
from shuangsuiji.planning.services import task_transition
from tests.conftest import World
from tests.inspections.factories import entry_for, inspection_setup, make_inspector

pytestmark = pytest.mark.django_db


def _task(world: World, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "title": "悦来宾馆投诉举报核查", "source": "complaint", "reference": "12345-2026-1102",
        "received_on": datetime.date(2026, 11, 2), "summary": "群众反映该宾馆布草未更换（举报人信息见登记表）",
        "items": [world.items["a"]], "targets": [world.targets["a"]],
        "window_start": datetime.date(2026, 11, 3), "window_end": datetime.date(2026, 11, 30),
    }
    values.update(overrides)
    return nonrandom_task_create(actor=world.users["a_admin"], **values)


def test_create_refusals(world: World) -> None:
    with pytest.raises(ApplicationError, match="来源"):
        _task(world, source="random")
    with pytest.raises(ApplicationError, match="不在本单位名录库"):
        _task(world, targets=[world.targets["b"]])
    with pytest.raises(ApplicationError, match="线索"):
        _task(world, summary=" ")
    with pytest.raises(ApplicationError, match="不能早于受理"):
        _task(world, received_on=datetime.date(2026, 11, 10))
    with pytest.raises(ApplicationError):
        nonrandom_task_create(actor=world.users["a_inspector"], title="x", source="complaint",
                              received_on=datetime.date(2026, 11, 2), summary="s", items=[world.items["a"]],
                              targets=[world.targets["a"]], window_start=datetime.date(2026, 11, 3),
                              window_end=datetime.date(2026, 11, 30))


def test_team_rules(world: World) -> None:
    task = _task(world)
    zhang = world.inspectors["a"]
    expert = make_inspector(world, "a", "专家甲", kind=InspectorKind.EXPERT)
    li = make_inspector(world, "a", "李四", user=world.users["a_inspector"])
    with pytest.raises(ApplicationError, match="不得少于2名"):
        nonrandom_records_generate(actor=world.users["a_admin"], task=task, leader=zhang, members=[])
    with pytest.raises(ApplicationError, match="不是执法人员"):
        nonrandom_records_generate(actor=world.users["a_admin"], task=task, leader=zhang, members=[expert])
    ConflictDeclaration.objects.create(owner=world.orgs["a"], inspector=li, target=world.targets["a"], reason="亲属",
                                       valid_from=datetime.date(2026, 1, 1))
    with pytest.raises(ApplicationError, match="回避"):
        nonrandom_records_generate(actor=world.users["a_admin"], task=task, leader=zhang, members=[li])
    with pytest.raises(ApplicationError, match="不经抽取"):
        records_generate_for_task(actor=world.users["a_admin"], task=task)


def test_same_path_to_publication_and_counted_apart(world: World) -> None:
    task = _task(world)
    assert task.kind == TaskKind.NONRANDOM and task.state == TaskState.DRAFT
    li = make_inspector(world, "a", "李四甲")
    records = nonrandom_records_generate(actor=world.users["a_admin"], task=task, leader=world.inspectors["a"],
                                         members=[li])
    task.refresh_from_db()
    assert task.state == TaskState.INSPECTING and len(records) == 1
    record = records[0]
    assert record.draw_id is None and record.drawn_target_id is None
    members = list(record.members.all())
    assert all(m.source == MemberSource.ASSIGNED and m.is_counted_officer for m in members)
    assert "非随机检查（投诉举报，12345-2026-1102）指派" in members[0].source_text
    assert AuditEntry.objects.filter(event="inspection.records_generate_nonrandom").exists()

    target_before = world.targets["a"].last_inspected_on
    record = record_submit_result(actor=world.users["a_admin"], record=record, entry=entry_for(record))
    record = record_review(actor=world.users["a_staff"], record=record, approve=True)
    task.refresh_from_db()
    assert record.status == RecordStatus.APPROVED and task.state == TaskState.COMPLETED
    world.targets["a"].refresh_from_db()
    assert world.targets["a"].last_inspected_on == target_before  # no 双随机 coverage from a complaint check

    results_publish_task(actor=world.users["a_admin"], task=task)
    task.refresh_from_db()
    assert task.state == TaskState.PUBLISHED
    published = PublishedResult.objects.get(task=task)
    assert published.is_public

    # a random task with its own inspection, for the 双随机 figures
    s = inspection_setup(world)
    records_generate_for_task(actor=world.users["a_admin"], task=s.task)
    hotel = s.task.inspection_records.get(target=s.targets[0])
    record_submit_result(actor=world.users["a_inspector"], record=hotel, entry=entry_for(hotel))

    period = Period.year_to_date(2026, datetime.date(2026, 11, 25))
    owners = [world.orgs["a"].pk]
    inspected = list(inspected_queryset(owners, period))
    assert [r.task.kind for r in inspected] == [TaskKind.RANDOM]
    figures = nonrandom_figures(owners, period)
    complaint = next(r for r in figures.rows if r.source == "complaint")
    assert (complaint.tasks, complaint.inspected_records, complaint.inspected_targets, complaint.published) == (1, 1, 1, 1)
    assert figures.total.tasks == 1

    page = world.client("a_admin").get("/oversight/dashboard/?year=2026").content.decode()
    assert "非随机检查（投诉举报" in page and "不计入双随机覆盖率" in page
    portal = world.client("b_admin").get(f"/gs/results/{published.pk}/").content.decode()
    assert "悦来宾馆" in portal and "举报人" not in portal  # the internal summary is never published


def test_random_tasks_cannot_skip_the_draw(world: World) -> None:
    s = inspection_setup(world)
    s.task.state = TaskState.DRAFT
    s.task.save()
    with pytest.raises(ApplicationError, match="双随机抽查任务须经"):
        task_transition(actor=world.users["a_admin"], task=s.task, to_state=TaskState.INSPECTING)
    task = _task(world)
    with pytest.raises(ApplicationError, match="非随机检查不经抽取"):
        task_transition(actor=world.users["a_admin"], task=task, to_state=TaskState.SCHEME_PUBLISHED)


def test_pages_and_api(world: World) -> None:
    client = world.client("a_admin")
    page = client.get("/planning/tasks/nonrandom/new/")
    assert page.status_code == 200
    bad = client.post("/planning/tasks/nonrandom/new/", {
        "title": "转办核查", "source": "assigned", "received_on": "2026-11-02", "summary": "市局转办",
        "items": [world.items["a"].pk], "targets": "不存在的单位", "window_start": "2026-11-03",
        "window_end": "2026-11-30", "methods": ["on_site"],
    })
    assert bad.status_code == 400 and "第1行“不存在的单位”" in bad.content.decode()
    done = client.post("/planning/tasks/nonrandom/new/", {
        "title": "转办核查", "source": "assigned", "reference": "保卫监转〔2026〕3号", "received_on": "2026-11-02",
        "summary": "市局转办", "items": [world.items["a"].pk], "targets": world.targets["a"].uscc,
        "window_start": "2026-11-03", "window_end": "2026-11-30", "methods": ["on_site"],
    })
    assert done.status_code == 302
    team_url = done["Location"]
    assert "转办核查" in client.get(team_url).content.decode()
    li = make_inspector(world, "a", "李四")
    reply = client.post(team_url, {"leader": world.inspectors["a"].pk, "members": [li.pk]})
    assert reply.status_code == 302
    assert world.client("b_admin").get(team_url).status_code == 404

    created = client.post("/api/planning/nonrandom-tasks", {
        "title": "专项检查", "source": "special", "received_on": "2026-11-02", "summary": "游泳场所专项",
        "item_ids": [world.items["a"].pk], "target_ids": [world.targets["a"].pk], "window_start": "2026-11-03",
        "window_end": "2026-11-30",
    }, content_type="application/json")
    assert created.status_code == 201 and created.json()["source"] == "专项检查"
    task_id = created.json()["id"]
    wrong = client.post("/api/planning/nonrandom-tasks", {
        "title": "x", "source": "special", "received_on": "2026-11-02", "summary": "s",
        "item_ids": [world.items["a"].pk], "target_ids": [world.targets["b"].pk], "window_start": "2026-11-03",
        "window_end": "2026-11-30",
    }, content_type="application/json")
    assert wrong.status_code == 400
    records = client.post(f"/api/inspections/tasks/{task_id}/nonrandom-records",
                          {"leader_id": world.inspectors["a"].pk, "member_ids": [li.pk]}, content_type="application/json")
    assert records.status_code == 201 and len(records.json()) == 1


def test_pages_of_a_published_nonrandom_task(world: World) -> None:
    """Every page that shows a task or its records works for a non-random one (no draw behind its records)."""
    task = _task(world)
    record = nonrandom_records_generate(actor=world.users["a_admin"], task=task, leader=world.inspectors["a"],
                                        members=[make_inspector(world, "a", "李四乙")])[0]
    record = record_submit_result(actor=world.users["a_admin"], record=record, entry=entry_for(record))
    record_review(actor=world.users["a_staff"], record=record, approve=True)
    results_publish_task(actor=world.users["a_admin"], task=task)
    staff = world.client("a_admin")
    for url in (f"/planning/tasks/{task.pk}/", f"/inspections/tasks/{task.pk}/", f"/inspections/records/{record.pk}/",
                f"/inspections/records/{record.pk}/form.pdf", f"/inspections/records/{record.pk}/form.docx",
                f"/disclosure/tasks/{task.pk}/publish/", f"/oversight/tasks/{task.pk}/archive/",
                f"/oversight/tasks/{task.pk}/summary.docx", f"/oversight/tasks/{task.pk}/summary.pdf",
                "/oversight/dashboard/?year=2026", "/oversight/statistics/"):
        assert staff.get(url).status_code == 200, url
    public = world.client("b_admin")
    for url in (f"/gs/tasks/{task.pk}/results/", "/gs/results/?q=宾馆"):
        reply = public.get(url)
        assert reply.status_code in (200, 404), url  # 404: no published 工作方案 to show the task under
        assert "举报人" not in reply.content.decode()
