"""The grouped main menu: role-aware, missing features left out, the active entry and the breadcrumb trail."""

from __future__ import annotations

from typing import Any

from shuangsuiji.accounts import navigation as context_processors
from shuangsuiji.accounts.navigation import NavEntry, NavGroup, build_navigation
from tests.conftest import World


def labels(user: Any, path: str = "/") -> dict[str, list[str]]:
    nav = build_navigation(user, path)
    return {g["label"]: [e["label"] for e in g["entries"]] for g in nav["nav_groups"]}


def test_menu_follows_the_role(world: World) -> None:
    admin = labels(world.users["a_admin"])
    assert list(admin)[:3] == ["一单两库", "计划任务", "双随机抽取"]
    assert "导入记录" in admin["一单两库"] and "问责记录" in admin["期限督办"]
    assert "工作日历维护" in admin["系统管理"] and "账号安全" not in admin["系统管理"]
    inspector = labels(world.users["a_inspector"])
    assert inspector["计划任务"] == ["抽查任务"] and "导入记录" not in inspector["一单两库"]
    assert "问责记录" not in inspector["期限督办"] and "系统管理" not in inspector
    assert "统计报表" not in inspector
    leader = labels(world.users["a_leader"])
    assert "问责记录" in leader["期限督办"] and "工作统计" in leader["统计报表"]
    # 三权分立: the administrators see the system menu (and the public portal) only
    auditor = labels(world.users["a_auditor"])
    assert auditor["系统管理"] == ["审计日志"] and set(auditor) <= {"公开平台", "系统管理"}
    security = labels(world.users["a_security"])
    assert security["系统管理"] == ["账号安全"] and set(security) <= {"公开平台", "系统管理"}
    assert set(labels(world.users["a_sysadmin"])) <= {"期限督办", "公开平台", "系统管理"}


def test_unknown_pages_are_left_out(world: World, monkeypatch: Any) -> None:
    groups = [NavGroup("将来", (NavEntry("尚未合并", "nowhere:page"),)), *context_processors.NAV_ITEMS]
    monkeypatch.setattr(context_processors, "NAV_ITEMS", groups)
    assert "将来" not in labels(world.users["a_admin"])


def test_active_entry_and_trail(world: World) -> None:
    nav = build_navigation(world.users["a_admin"], "/oversight/calendar/2026/")
    active = [(g["label"], e["label"]) for g in nav["nav_groups"] for e in g["entries"] if e["active"]]
    assert active == [("期限督办", "工作日历")]  # the longest matching entry, not 期限台账 (/oversight/)
    assert [s["label"] for s in nav["nav_trail"]] == ["期限督办", "工作日历"] and nav["nav_trail_deeper"]
    single = build_navigation(world.users["a_admin"], "/draws/")
    assert [s["label"] for s in single["nav_trail"]] == ["抽取与人员匹配"] and not single["nav_trail_deeper"]


def test_rendered_menu_works_without_javascript(world: World) -> None:
    body = world.client("a_admin").get("/planning/tasks/").content.decode()
    assert body.count("<details") >= 4 and "<summary" in body
    assert 'class="dropdown-item active" href="/planning/tasks/"' in body
    assert '<ol class="breadcrumb' in body and "计划任务" in body
    home = world.client("a_admin").get("/").content.decode()
    assert "我的待办" in home and "法定期限" in home and "一单两库" in home
