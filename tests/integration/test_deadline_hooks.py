"""The workflow opens and completes its statutory deadlines through the services (planning and draws hooks)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail

from shuangsuiji.accounts.models import User
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.deadlines.models import Accountability, Deadline, DeadlineKind, DeadlineStatus, Notification
from shuangsuiji.directory.models import Inspector
from shuangsuiji.draws import services as draw_services
from shuangsuiji.draws.hooks import notify_assigned
from shuangsuiji.draws.match_inputs import MatchOptions
from shuangsuiji.draws.models import Assignment
from shuangsuiji.planning import services
from shuangsuiji.planning.models import AnnualPlan, TaskState
from tests.conftest import World
from tests.deadlines.factories import frozen
from tests.draws.factories import add_inspectors, add_targets, confirmed, drawn, make_task, populated_task
from tests.planning.conftest import RATIOS, WINDOW

JOINT = {"title": "2026年部门联合抽查计划", "year": 2026, "target_scope": "辖区内歌舞娱乐场所、定点医疗机构",
         "ratio_percent": 5, **WINDOW}


def deadline_of(subject: Any, kind: str) -> Deadline:
    return Deadline.objects.get(content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk, kind=kind)


def status(deadline: Deadline, today: datetime.date) -> str:
    return deadline.status_on(today).value


def test_annual_plan_filing_opens_on_creation_and_completes_on_filing(pw: World) -> None:
    admin = pw.users["a_admin"]
    with frozen(datetime.date(2026, 1, 12)):
        plan = services.plan_create(actor=admin, year=2026, title="2026年度双随机抽查工作计划")
        deadline = deadline_of(plan, DeadlineKind.ANNUAL_PLAN_FILING)
        assert deadline.due_date == datetime.date(2026, 2, 2)  # 1月31日 is a Saturday: rolled to Monday
        assert deadline.responsible == admin and deadline.owner == pw.orgs["a"]
        assert status(deadline, datetime.date(2026, 1, 12)) == DeadlineStatus.PENDING
        services.plan_lines_add_missing(actor=admin, plan=plan, ratios=RATIOS, months=[4, 5])
        for action, user in (("submit", "a_admin"), ("review", "a_legal"), ("approve", "a_leader")):
            plan = services.plan_transition(actor=pw.users[user], plan=plan, action=action, justification="测试：名录库对象较少")
        assert deadline_of(plan, DeadlineKind.ANNUAL_PLAN_FILING).completed_at is None
    with frozen(datetime.date(2026, 1, 28)):
        plan = services.plan_transition(actor=admin, plan=plan, action="file", justification="测试：名录库对象较少")
        plan = services.plan_transition(actor=admin, plan=plan, action="publish", justification="测试：名录库对象较少")
    deadline.refresh_from_db()
    assert deadline.completed_on == datetime.date(2026, 1, 28) and deadline.completed_by == admin
    assert not deadline.completed_late and not Accountability.objects.exists()
    # an adjustment is a new version of the same plan: no second filing duty
    with frozen(datetime.date(2026, 6, 1)):
        new = services.plan_adjust(actor=admin, plan=plan, reason="新增托育机构抽查事项")
    assert not Deadline.objects.filter(object_id=new.pk, kind=DeadlineKind.ANNUAL_PLAN_FILING,
                                       content_type__model="annualplan").exists()


def test_plan_filed_late_is_recorded_for_accountability(pw: World) -> None:
    with frozen(datetime.date(2026, 2, 9)):
        plan = services.plan_create(actor=pw.users["a_admin"], year=2026, title="2026年度计划")
        services.plan_lines_add_missing(actor=pw.users["a_admin"], plan=plan, ratios=RATIOS, months=[4])
        for action, user in (("submit", "a_admin"), ("review", "a_legal"), ("approve", "a_leader"), ("file", "a_admin")):
            plan = services.plan_transition(actor=pw.users[user], plan=plan, action=action, justification="测试：名录库对象较少")
    deadline = deadline_of(plan, DeadlineKind.ANNUAL_PLAN_FILING)
    assert deadline.completed_late and deadline.late_workdays == 5
    assert Accountability.objects.get(deadline=deadline).late_workdays == 5


def test_deadline_is_part_of_the_service_transaction(pw: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kwargs: Any) -> None:
        raise ApplicationError("期限服务不可用")

    monkeypatch.setattr("shuangsuiji.planning.deadline_hooks.deadline_open", broken)
    with pytest.raises(ApplicationError):
        services.plan_create(actor=pw.users["a_admin"], year=2026, title="2026年度计划")
    assert not AnnualPlan.objects.exists()


def test_joint_plan_filing(pw: World) -> None:
    admin = pw.users["a_admin"]
    with frozen(datetime.date(2026, 2, 10)):
        joint = services.joint_plan_create(
            actor=admin, data=JOINT, participants=[pw.orgs["a_culture"], pw.orgs["a_medins"]],
            owner_items=[pw.items["a"]],
        )
        deadline = deadline_of(joint, DeadlineKind.JOINT_PLAN_FILING)
        assert deadline.due_date == datetime.date(2026, 3, 31) and deadline.completed_at is None
        joint = services.joint_plan_send(actor=admin, joint_plan=joint)
        assert Deadline.objects.filter(kind=DeadlineKind.JOINT_PLAN_FILING).count() == 1
        for key in ("a_culture", "a_medins"):
            participant = joint.participants.get(organization=pw.orgs[key])
            services.joint_participant_confirm(actor=pw.users[key], participant=participant, item_titles="本部门事项")
        joint.refresh_from_db()
        services.joint_plan_publish(actor=admin, joint_plan=joint)
    deadline.refresh_from_db()
    assert deadline.completed_on == datetime.date(2026, 2, 10) and not deadline.completed_late


def test_task_completion_opens_result_publication_20_working_days(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # the hooks, not the work behind each step (tests/draws/test_task_guards.py)
    monkeypatch.setattr(services, "_transition_refusal", lambda task, frm, to: None)
    task = make_task(world, state=TaskState.INSPECTORS_MATCHED)
    admin = world.users["a_admin"]
    with frozen(datetime.date(2026, 9, 21)):
        services.task_transition(actor=admin, task=task, to_state=TaskState.INSPECTING)
        assert not Deadline.objects.exists()
        services.task_transition(actor=admin, task=task, to_state=TaskState.COMPLETED)
    deadline = deadline_of(task, DeadlineKind.RESULT_PUBLICATION)
    # 20 working days from 9月21日 cross 中秋 (9月25日 off) and 国庆 (10月1日—7日 off, 10月10日 worked)
    assert deadline.start_date == datetime.date(2026, 9, 21) and deadline.workdays == 20
    assert deadline.due_date == datetime.date(2026, 10, 26)
    assert deadline.responsible == admin
    with frozen(datetime.date(2026, 10, 20)):
        services.task_transition(actor=admin, task=task, to_state=TaskState.PUBLISHED)
    deadline.refresh_from_db()
    assert deadline.completed_on == datetime.date(2026, 10, 20) and not deadline.completed_late


def test_draw_confirmation_two_working_days_then_completed(world: World) -> None:
    task = populated_task(world)
    with frozen(datetime.date(2026, 9, 30)):
        draw = drawn(world, task)
    deadline = deadline_of(draw, DeadlineKind.DRAW_CONFIRMATION)
    assert deadline.due_date == datetime.date(2026, 10, 9)  # 国庆 off: 10月8日 and 9日 are the two working days
    assert draw.confirm_deadline == deadline.due_date and deadline.responsible is None
    assert deadline.organization == world.orgs["a"]
    with frozen(datetime.date(2026, 10, 8)):
        draw_services.draw_confirm(actor=world.users["a_leader"], draw=draw)
    deadline.refresh_from_db()
    assert deadline.completed_by == world.users["a_leader"] and not deadline.completed_late


def test_approved_redraw_closes_the_old_confirmation_deadline(world: World) -> None:
    task = populated_task(world)
    with frozen(datetime.date(2026, 11, 20)):
        draw = drawn(world, task)
        request = draw_services.redraw_request_create(actor=world.users["a_admin"], draw=draw, reason="对象池范围有误")
        draw_services.redraw_request_decide(actor=world.users["a_leader"], request=request, approve=True)
    deadline = deadline_of(draw, DeadlineKind.DRAW_CONFIRMATION)
    assert deadline.due_date == datetime.date(2026, 11, 24) and deadline.completed_on == datetime.date(2026, 11, 20)


def _inspector_accounts(world: World) -> list[User]:
    """A login account (with e-mail) for every inspector of county A."""
    accounts = []
    for n, inspector in enumerate(Inspector.objects.filter(owner=world.orgs["a"]).order_by("pk")):
        user = User.objects.create_user(
            username=f"insp{n}", password="x", organization=world.orgs["a_institute"], role="inspector",
            real_name=inspector.name, email=f"insp{n}@example.cn",
        )
        inspector.user = user
        inspector.save(update_fields=["user"])
        accounts.append(user)
    return accounts


def test_matched_inspectors_are_notified_once(world: World, django_capture_on_commit_callbacks: Any) -> None:
    task = populated_task(world)
    accounts = _inspector_accounts(world)
    draw = confirmed(world, task)
    with django_capture_on_commit_callbacks(execute=True):
        match = draw_services.match_run(
            actor=world.users["a_admin"], draw=draw, randomness=["2026-03-02 双色球 01 05 11 20 27 33 + 07"],
            options=MatchOptions(),
        )
    assigned = Assignment.objects.filter(match=match, is_active=True).select_related("inspector__user")
    people = {a.inspector.user for a in assigned}
    notices = Notification.objects.filter(key__startswith=f"match{match.pk}:")
    assert {n.recipient for n in notices} == people and people <= set(accounts)
    assert notices.count() == len(people)
    sample = notices.first()
    assert sample is not None and task.title in sample.body and sample.url == match.get_absolute_url()
    mine = assigned.filter(inspector__user=sample.recipient).select_related("drawn_target__target")
    assert all(a.drawn_target.target.name in sample.body for a in mine)
    assert len(mail.outbox) == len(people)
    # retried: nothing twice
    assert notify_assigned(list(assigned)) == 0 and Notification.objects.count() == len(people)
    # 回避 found later: only the replacement is told
    old = assigned.first()
    assert old is not None
    with django_capture_on_commit_callbacks(execute=True):
        new_match = draw_services.assignment_replace(
            actor=world.users["a_admin"], assignment=old, reason="发现利害关系需回避", randomness=["2026-03-03 3D 7 7 1"]
        )
    replacement = Assignment.objects.get(replaces=old)
    notice = Notification.objects.get(key__startswith=f"match{new_match.pk}:")
    assert notice.recipient == replacement.inspector.user


def test_inspectors_without_account_get_no_notice(world: World) -> None:
    add_targets(world)
    add_inspectors(world)
    task = make_task(world)
    draw = confirmed(world, task)
    draw_services.match_run(actor=world.users["a_admin"], draw=draw, randomness=["1 2 3"], options=MatchOptions())
    assert not Notification.objects.exists()
