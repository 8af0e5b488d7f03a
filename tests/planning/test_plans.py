"""Annual plans: coverage rule, review/approval roles, filing visibility, adjustment history."""

from __future__ import annotations

import pytest

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from shuangsuiji.planning import selectors, services
from shuangsuiji.planning.models import PlanStatus
from tests.conftest import World
from tests.planning.conftest import RATIOS, make_published_plan


def _draft(pw: World):  # type: ignore[no-untyped-def]
    return services.plan_create(actor=pw.users["a_admin"], year=2026, title="2026年度抽查计划")


def test_create_audits_and_refuses_second_plan_of_year(pw: World) -> None:
    plan = _draft(pw)
    assert plan.owner == pw.orgs["a"] and plan.status == PlanStatus.DRAFT
    assert AuditEntry.objects.filter(event="plan.create", object_id=str(plan.pk)).count() == 1
    with pytest.raises(ApplicationError, match="已存在"):
        _draft(pw)


def test_roles_without_plan_edit_cannot_create(pw: World) -> None:
    with pytest.raises(PermissionDeniedError):
        services.plan_create(actor=pw.users["a_leader"], year=2026, title="x")


def test_submit_refused_with_list_of_uncovered_items(pw: World) -> None:
    admin = pw.users["a_admin"]
    plan = _draft(pw)
    services.plan_line_save(actor=admin, plan=plan, item=pw.items["a"], ratios=RATIOS, months=[3, 4])
    with pytest.raises(ApplicationError) as exc:
        services.plan_transition(actor=admin, plan=plan, action="submit", justification="测试：名录库对象较少")
    assert "YL-a" in exc.value.message and "对医疗机构依法执业的监督检查" in exc.value.message
    assert [m["code"] for m in exc.value.extra["missing_items"]] == ["YL-a"]
    services.plan_uncovered_save(actor=admin, plan=plan, item=pw.items["a2"], reason="已纳入国家监督抽检")
    plan = services.plan_transition(actor=admin, plan=plan, action="submit", justification="测试：名录库对象较少")
    assert plan.status == PlanStatus.SUBMITTED


def test_line_validation(pw: World) -> None:
    admin = pw.users["a_admin"]
    plan = _draft(pw)
    with pytest.raises(ApplicationError, match="D类"):
        services.plan_line_save(actor=admin, plan=plan, item=pw.items["a"], ratios={"A": 1, "B": 2, "C": 3})
    with pytest.raises(ApplicationError, match="0到100"):
        services.plan_line_save(actor=admin, plan=plan, item=pw.items["a"], ratios={**RATIOS, "D": 130})
    with pytest.raises(ApplicationError, match="不属于本单位"):
        services.plan_line_save(actor=admin, plan=plan, item=pw.items["b"], ratios=RATIOS)
    with pytest.raises(ApplicationError, match="月份"):
        services.plan_line_save(actor=admin, plan=plan, item=pw.items["a"], ratios=RATIOS, months=[13])
    with pytest.raises(ApplicationError, match="科室"):
        services.plan_line_save(actor=admin, plan=plan, item=pw.items["a"], ratios=RATIOS,
                                responsible_section=pw.orgs["b"])


def test_review_only_by_legal_section_or_admin(pw: World) -> None:
    admin = pw.users["a_admin"]
    plan = _draft(pw)
    services.plan_lines_add_missing(actor=admin, plan=plan, ratios=RATIOS)
    plan = services.plan_transition(actor=admin, plan=plan, action="submit", justification="测试：名录库对象较少")
    for user in ("a_staff", "a_leader", "b_admin"):
        with pytest.raises(PermissionDeniedError):
            services.plan_transition(actor=pw.users[user], plan=plan, action="review", justification="测试：名录库对象较少")
    with pytest.raises(ApplicationError, match="不能执行"):
        services.plan_transition(actor=admin, plan=plan, action="file", justification="测试：名录库对象较少")
    plan = services.plan_transition(actor=pw.users["a_legal"], plan=plan, action="review", comment="经审查合法", justification="测试：名录库对象较少")
    assert plan.steps.last().comment == "经审查合法"  # type: ignore[union-attr]
    with pytest.raises(PermissionDeniedError):
        services.plan_transition(actor=pw.users["a_staff"], plan=plan, action="approve", justification="测试：名录库对象较少")
    plan = services.plan_transition(actor=pw.users["a_leader"], plan=plan, action="approve", justification="测试：名录库对象较少")
    assert plan.status == PlanStatus.APPROVED


def test_return_needs_comment_and_goes_back_to_draft(pw: World) -> None:
    admin = pw.users["a_admin"]
    plan = _draft(pw)
    services.plan_lines_add_missing(actor=admin, plan=plan, ratios=RATIOS)
    plan = services.plan_transition(actor=admin, plan=plan, action="submit", justification="测试：名录库对象较少")
    with pytest.raises(ApplicationError, match="意见"):
        services.plan_transition(actor=pw.users["a_legal"], plan=plan, action="return", justification="测试：名录库对象较少")
    plan = services.plan_transition(actor=pw.users["a_legal"], plan=plan, action="return", comment="依据有误", justification="测试：名录库对象较少")
    assert plan.status == PlanStatus.DRAFT
    assert [s.action for s in plan.steps.all()] == ["submit", "return"]


def test_upper_level_sees_plan_only_after_filing(pw: World) -> None:
    admin, city = pw.users["a_admin"], pw.users["city_admin"]
    plan = _draft(pw)
    assert not selectors.plan_list(actor=city).filter(pk=plan.pk).exists()
    with pytest.raises(NotFoundError):
        selectors.plan_get(actor=city, pk=plan.pk)
    plan = make_published_plan(pw, year=2027)
    assert selectors.plan_get(actor=city, pk=plan.pk) == plan
    with pytest.raises(NotFoundError):
        selectors.plan_get(actor=pw.users["b_admin"], pk=plan.pk)
    with pytest.raises(PermissionDeniedError):
        services.plan_adjust(actor=city, plan=plan, reason="上级不能改")
    del admin


def test_adjustment_creates_version_with_diff_and_supersedes_on_publish(pw: World) -> None:
    admin = pw.users["a_admin"]
    v1 = make_published_plan(pw)
    with pytest.raises(ApplicationError, match="原因"):
        services.plan_adjust(actor=admin, plan=v1, reason=" ")
    v2 = services.plan_adjust(actor=admin, plan=v1, reason="上级新增专项任务")
    assert (v2.version, v2.previous, v2.status) == (2, v1, PlanStatus.DRAFT)
    with pytest.raises(ApplicationError, match="调整中"):
        services.plan_adjust(actor=admin, plan=v1, reason="again")
    line = v2.lines.get(item=pw.items["a"])
    services.plan_line_save(actor=admin, plan=v2, item=pw.items["a"], ratios={**RATIOS, "D": 50}, months=line.months)
    services.plan_line_delete(actor=admin, line=v2.lines.get(item=pw.items["a2"]))
    services.plan_uncovered_save(actor=admin, plan=v2, item=pw.items["a2"], reason="纳入专项行动")
    diff = selectors.plan_diff(old=v1, new=v2)
    assert {(c.code, c.kind) for c in diff} == {("GG-a", "changed"), ("YL-a", "removed")}
    changed = next(c for c in diff if c.kind == "changed")
    assert changed.fields[0][0] == "抽查比例" and "D 50" in changed.fields[0][2]
    v1.refresh_from_db()
    assert v1.status == PlanStatus.PUBLISHED  # still in force while v2 is drafted
    for action, user in (("submit", "a_admin"), ("review", "a_legal"), ("approve", "a_leader"), ("file", "a_admin"),
                         ("publish", "a_admin")):
        v2 = services.plan_transition(actor=pw.users[user], plan=v2, action=action, justification="测试：名录库对象较少")
    v1.refresh_from_db()
    assert v1.status == PlanStatus.SUPERSEDED
    assert v1.lines.get(item=pw.items["a"]).ratios["D"] == 30  # the old version stays as it was
    versions = selectors.plan_versions(actor=admin, plan=v2)
    assert [p.version for p in versions] == [2, 1]
    assert "supersede" in [s.action for s in v1.steps.all()]
    assert AuditEntry.objects.filter(event="plan.adjust", object_id=str(v2.pk)).count() == 1


def test_draft_only_edits(pw: World) -> None:
    plan = make_published_plan(pw)
    with pytest.raises(ApplicationError, match="起草"):
        services.plan_line_save(actor=pw.users["a_admin"], plan=plan, item=pw.items["a"], ratios=RATIOS)
    with pytest.raises(ApplicationError, match="起草"):
        services.plan_update(actor=pw.users["a_admin"], plan=plan, data={"title": "新"})


def test_plan_review_follows_the_item_review_rule(pw: World) -> None:
    """One rule for the 合法性审查 of plans and of the 抽查事项清单 (玉溪 2020): where the bureau has a 政策法规
    section only its users review — not the 双随机办 administrator; where it has none, the administrator does."""
    from shuangsuiji.accounts.legal import can_legal_review
    from shuangsuiji.planning.permissions import can_review

    admin, legal = pw.users["a_admin"], pw.users["a_legal"]
    for user in ("a_admin", "a_legal", "a_staff", "a_leader", "b_admin", "city_admin"):
        for bureau in ("a", "b"):
            assert can_review(pw.users[user], pw.orgs[bureau].pk) == can_legal_review(pw.users[user], pw.orgs[bureau]), (
                user, bureau)
    plan = _draft(pw)
    services.plan_lines_add_missing(actor=admin, plan=plan, ratios=RATIOS)
    plan = services.plan_transition(actor=admin, plan=plan, action="submit", justification="测试：名录库对象较少")
    with pytest.raises(PermissionDeniedError, match="莲池区卫生健康局政策法规科的工作人员"):
        services.plan_transition(actor=admin, plan=plan, action="review", justification="测试：名录库对象较少")
    page = pw.client("a_admin").get(f"/planning/plans/{plan.pk}/").content.decode()
    assert f"/planning/plans/{plan.pk}/do/review/" not in page
    assert f"/planning/plans/{plan.pk}/do/review/" in pw.client("a_legal").get(f"/planning/plans/{plan.pk}/").content.decode()
    reviewed = services.plan_transition(actor=legal, plan=plan, action="review", justification="测试：名录库对象较少")
    assert reviewed.status == PlanStatus.REVIEWED
    # 涞源 has no 政策法规 section: its 双随机办 administrator reviews
    b_admin = pw.users["b_admin"]
    b_plan = services.plan_create(actor=b_admin, year=2026, title="涞源县2026年度计划")
    services.plan_lines_add_missing(actor=b_admin, plan=b_plan, ratios=RATIOS)
    b_plan = services.plan_transition(actor=b_admin, plan=b_plan, action="submit", justification="测试：名录库对象较少")
    with pytest.raises(PermissionDeniedError, match="双随机办管理员"):
        services.plan_transition(actor=legal, plan=b_plan, action="review", justification="测试：名录库对象较少")
    b_plan = services.plan_transition(actor=b_admin, plan=b_plan, action="review", justification="测试：名录库对象较少")
    assert b_plan.status == PlanStatus.REVIEWED
