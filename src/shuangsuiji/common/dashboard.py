"""The home page (工作台): per role, what waits for the user and the state of their scope.

Every number comes from a scoped selector of its app; this module only chooses the cards for the role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.urls import NoReverseMatch, reverse

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.common.context_processors import BUSINESS_ROLES, OFFICE_ROLES, build_navigation


@dataclass
class Card:
    label: str
    url: str
    value: int | None = None
    note: str = ""
    tone: str = ""  # Tabler text colour: "red", "yellow" …


@dataclass
class Section:
    title: str
    cards: list[Card] = field(default_factory=list)
    empty: str = ""


def _url(name: str, query: str = "", fallback: str = "") -> str:
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return fallback


def home_sections(user: User, today: date) -> list[Section]:
    business = user.is_superuser or user.role in BUSINESS_ROLES
    sections = [_todo(user, today)]
    if business:
        sections.append(_deadlines(user, today))
        sections.append(_directory(user, today))
    if not business or user.is_superuser:
        sections.append(_system(user))
    return [s for s in sections if s.cards or s.empty]


def _todo(user: User, today: date) -> Section:
    from shuangsuiji.deadlines.selectors import deadline_list, supervision_list, unread_notification_count
    from shuangsuiji.draws.selectors import my_assignments, pending_confirmations, pending_match_confirmations
    from shuangsuiji.planning.selectors import planning_todo

    section = Section("我的待办", empty="暂无待办事项")
    unread = unread_notification_count(actor=user)
    section.cards.append(Card("未读提醒", _url("deadlines:notification_list", "?unread=1"), unread,
                              tone="red" if unread else ""))
    if user.is_superuser or user.role in BUSINESS_ROLES:
        base = _url("deadlines:deadline_list")
        for status, label in (("overdue", "我负责的逾期期限"), ("near", "我负责的临近期限")):
            mine = deadline_list(actor=user, filters={"mine": "true", "status": status}, today=today).count()
            if mine:
                section.cards.append(Card(label, f"{base}?status={status}&mine=true", mine,
                                          tone="red" if status == "overdue" else "yellow"))
    awaiting = supervision_list(actor=user, status="awaiting").filter(responsible=user).count()
    if awaiting:
        section.cards.append(Card("待我答复的督办", _url("deadlines:supervision_list", "?status=awaiting"), awaiting,
                                  note="请说明逾期原因并承诺完成日期", tone="red"))
    if user.role == Role.INSPECTOR or (user.is_superuser and my_assignments(actor=user).exists()):
        assignments = list(my_assignments(actor=user))
        tasks = {a.match.task_id for a in assignments}
        section.cards.append(Card(
            "我的检查对象", _url("inspections:record_list", fallback=_url("draws:index")), len(assignments),
            note=f"来自 {len(tasks)} 个抽查任务的随机匹配" if assignments else "暂未被匹配到检查任务",
        ))
    if not (user.is_superuser or user.role in OFFICE_ROLES):
        return section
    todo = planning_todo(actor=user)
    confirmations = pending_confirmations(actor=user)
    first = confirmations.first()
    matches = pending_match_confirmations(actor=user)
    first_match = matches.first()
    for label, value, url, note in (
        ("待双人确认的抽取", confirmations.count(),
         reverse("draws:task_draw", args=[first.task_id]) if first else _url("draws:index"),
         "须在抽取后2个工作日内由操作人以外的人确认"),
        ("待确认的人员匹配", matches.count(),
         first_match.get_absolute_url() if first_match else _url("draws:index"), "确认后才能生成一企一表"),
        ("待合法性审查的计划", todo.plans_to_review, _url("planning:plan_list"), ""),
        ("待批准的计划", todo.plans_to_approve, _url("planning:plan_list"), ""),
        ("待备案、公布的计划", todo.plans_to_file, _url("planning:plan_list"), ""),
        ("待审批的工作方案", todo.schemes_to_approve, _url("planning:task_list", "?state=draft"), ""),
        ("待公布的工作方案", todo.schemes_to_publish, _url("planning:task_list", "?state=draft"), ""),
        ("待本部门确认的联合抽查计划", todo.joint_to_confirm, _url("planning:joint_list"), ""),
    ):
        if value:
            section.cards.append(Card(label, url, value, note=note, tone="yellow"))
    section.cards.append(Card("进行中的抽查任务", _url("planning:task_list"), todo.tasks_in_progress,
                              note="本单位尚未完成的任务"))
    return section


def _deadlines(user: User, today: date) -> Section:
    from shuangsuiji.deadlines.selectors import deadline_status_counts

    counts = deadline_status_counts(actor=user, today=today)
    base = _url("deadlines:deadline_list")
    section = Section("法定期限", [
        Card("临近到期", f"{base}?status=near", counts["near"], note="已进入到期前提醒期", tone="yellow"),
        Card("已逾期", f"{base}?status=overdue", counts["overdue"], note="逾期后自动督办", tone="red"),
        Card("未到期", f"{base}?status=pending", counts["pending"]),
        Card("逾期完成", f"{base}?status=completed&late=true", counts["completed_late"], note="已记录问责"),
    ])
    return section


def _directory(user: User, today: date) -> Section:
    from shuangsuiji.directory import selectors

    targets = selectors.target_list(actor=user)
    inspectors = selectors.inspector_list(actor=user)
    items = selectors.item_list(actor=user, filters={"status": "published"})
    return Section("一单两库", [
        Card("已公布抽查事项", "/directory/items/?status=published", items.count()),
        Card("检查对象（在营）", "/directory/targets/?status=operating", targets.filter(status="operating").count()),
        Card("执法检查人员（在岗）", "/directory/inspectors/?status=on_duty", inspectors.filter(status="on_duty").count()),
        Card("执法证已过期", "/directory/inspectors/?licence_expired=true",
             inspectors.filter(licence_valid_to__lt=today).count(), note="过期人员不参与随机匹配"),
    ])


def _system(user: User) -> Section:
    navigation = build_navigation(user, "/")
    cards = [
        Card(entry["label"], entry["url"])
        for group in navigation["nav_groups"] if group["label"] == "系统管理"
        for entry in group["entries"]
    ]
    return Section("系统管理", cards)


def stats_context(user: User, today: date) -> dict[str, Any]:
    """Numbers per bureau for the statistics page: tasks by state and deadlines by status."""
    from shuangsuiji.deadlines.selectors import deadline_counts_by_organization
    from shuangsuiji.planning.models import TaskState
    from shuangsuiji.planning.selectors import task_state_counts

    return {
        "task_states": [label for _, label in TaskState.choices],
        "task_rows": task_state_counts(actor=user),
        "deadline_rows": deadline_counts_by_organization(actor=user, today=today),
    }
