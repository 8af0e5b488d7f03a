"""The navigation bar: grouped menus, role-aware, with the breadcrumb trail of the current page.

``NAV_ITEMS`` lists the groups in menu order. An entry names its page by URL name (``"app:name"``) or by path;
an entry whose URL name does not exist (yet) is left out, so the menus of features still being built
(检查与处置, 公开平台, 统计报表) appear as soon as their URLs are registered. A group with no entry for the user is
hidden; a group with a single entry is shown as a plain link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scope import Perm, has_perm

# Roles that work with the business data (一单两库, plans, draws, deadlines); the three system administrators
# (三权分立) see the system menu only.
BUSINESS_ROLES = frozenset({Role.PROGRAM_ADMIN, Role.SECTION_STAFF, Role.INSPECTOR, Role.LEADER, Role.SUPERVISOR})
OFFICE_ROLES = BUSINESS_ROLES - {Role.INSPECTOR}  # plans and the library's background work


def _is(roles: frozenset[str]) -> Callable[[Any], bool]:
    return lambda user: bool(user.is_superuser or user.role in roles)


def _perm(perm: Perm) -> Callable[[Any], bool]:
    return lambda user: has_perm(user, perm)


def _everyone(user: Any) -> bool:
    return True


def _staff(user: Any) -> bool:
    return bool(user.is_staff)


business = _is(BUSINESS_ROLES)
office = _is(OFFICE_ROLES)
overseer = _is(frozenset({Role.PROGRAM_ADMIN, Role.LEADER, Role.SUPERVISOR}))
calendar_users = _is(BUSINESS_ROLES | {Role.SYSTEM_ADMIN})
developers = _is(frozenset({Role.SYSTEM_ADMIN, Role.PROGRAM_ADMIN}))


@dataclass(frozen=True)
class NavEntry:
    label: str
    target: str  # URL name ("app:name") or a path beginning with "/"
    show: Callable[[Any], bool] = business


@dataclass(frozen=True)
class NavGroup:
    label: str
    entries: tuple[NavEntry, ...]


NAV_ITEMS: list[NavGroup] = [
    NavGroup("一单两库", (
        NavEntry("抽查事项清单", "directory:item_list"),
        NavEntry("事项清单合法性审查", "directory:item_review_list", office),
        NavEntry("检查对象名录库", "directory:target_list"),
        NavEntry("执法检查人员名录库", "directory:inspector_list"),
        NavEntry("导入记录", "directory:import_list", _perm(Perm.LIBRARY_EDIT)),
        NavEntry("经营异常/严重违法失信名单", "directory:flag_list_list", office),
    )),
    NavGroup("计划任务", (
        NavEntry("年度抽查计划", "planning:plan_list", office),
        NavEntry("联合抽查计划", "planning:joint_list", office),
        NavEntry("上级下达任务", "planning:national_list", office),
        NavEntry("抽查任务", "planning:task_list"),
    )),
    NavGroup("双随机抽取", (
        NavEntry("抽取与人员匹配", "draws:index"),
    )),
    NavGroup("检查与处置", (
        NavEntry("一企一表", "inspections:record_list"),
        NavEntry("按任务录入", "inspections:task_list"),
        NavEntry("结果审核", "inspections:review_queue", office),
        NavEntry("后续处置台账", "inspections:case_list"),
    )),
    NavGroup("期限督办", (
        NavEntry("期限台账", "deadlines:deadline_list"),
        NavEntry("督办", "deadlines:supervision_list"),
        NavEntry("问责记录", "deadlines:accountability_list", overseer),
        NavEntry("我的提醒", "deadlines:notification_list"),
        NavEntry("工作日历", "deadlines:calendar", calendar_users),
        NavEntry("专项督查与交叉检查", "supervision:campaign_list", office),
    )),
    NavGroup("统计报表", (
        NavEntry("统计驾驶舱", "oversight:dashboard", office),
        NavEntry("统计表", "oversight:statistics", office),
        NavEntry("月报表与情况报告", "oversight:report_list", office),
        NavEntry("组织与工作登记", "oversight:register", office),
        NavEntry("工作统计", "stats", office),
        NavEntry("公示期限", "disclosure_staff:deadlines", office),
        NavEntry("国家系统数据导出", "disclosure_staff:national_export", office),
    )),
    NavGroup("公开平台", (
        NavEntry("公开平台首页", "disclosure:index", _everyone),
        NavEntry("抽查结果查询", "disclosure:result_search", _everyone),
        NavEntry("开放数据", "disclosure:data_index", _everyone),
    )),
    NavGroup("系统管理", (
        NavEntry("账号安全", "accounts:account_list", _perm(Perm.SECURITY_MANAGE)),
        NavEntry("审计日志", "audit:entry_list", _perm(Perm.AUDIT_READ)),
        NavEntry("工作日历维护", "deadlines:calendar_import", _is(frozenset({Role.SYSTEM_ADMIN, Role.PROGRAM_ADMIN}))),
        NavEntry("管理后台", "admin:index", _staff),
        NavEntry("接口文档", "/api/docs", developers),
    )),
]


def _url(target: str) -> str | None:
    if target.startswith("/"):
        return target
    try:
        return reverse(target)
    except NoReverseMatch:
        return None


def _matches(path: str, url: str) -> bool:
    return path == url or (url != "/" and path.startswith(url))


def build_navigation(user: Any, path: str) -> dict[str, Any]:
    """The groups and entries ``user`` may use, the active ones for ``path``, and the breadcrumb trail."""
    groups: list[dict[str, Any]] = []
    for group in NAV_ITEMS:
        entries = []
        for entry in group.entries:
            url = _url(entry.target)
            if url is not None and entry.show(user):
                entries.append({"label": entry.label, "url": url, "active": False})
        if entries:
            groups.append({"label": group.label, "entries": entries, "active": False, "url": entries[0]["url"]})
    best: tuple[int, dict[str, Any], dict[str, Any]] | None = None
    for group_dict in groups:
        for entry_dict in group_dict["entries"]:
            url = entry_dict["url"]
            if _matches(path, url) and (best is None or len(url) > best[0]):
                best = (len(url), group_dict, entry_dict)
    trail: list[dict[str, Any]] = []
    deeper = False
    if best is not None:
        _, active_group, active_entry = best
        active_group["active"] = active_entry["active"] = True
        deeper = path != active_entry["url"]
        if len(active_group["entries"]) > 1:
            trail.append({"label": active_group["label"], "url": ""})
        trail.append({"label": active_entry["label"], "url": active_entry["url"] if deeper else ""})
    return {"nav_groups": groups, "nav_trail": trail, "nav_trail_deeper": deeper}


def navigation(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"site_title": "双随机、一公开 卫生健康监督抽查平台"}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    return context | build_navigation(user, request.path)
