"""Demo draws: for one demo task, a confirmed target draw and a matched inspector list.

``load_demo_draws(today=…)`` goes through the real services (pool freeze, draw with fixed demo randomness,
双人确认 by a second person, matching), so the demo records verify like real ones. It picks the first task
in state 方案已公布 (a joint task first), or the task given. Idempotent: a task that already has a draw is
left alone.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.accounts.scope import user_bureau
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.draws import services
from shuangsuiji.draws.match_inputs import MatchOptions
from shuangsuiji.draws.models import InspectorMatch, TargetDraw
from shuangsuiji.planning.models import Task, TaskState

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoDraws:
    task: Task | None
    draw: TargetDraw | None
    match: InspectorMatch | None
    message: str


def _bureau_users(task: Task, roles: tuple[str, ...]) -> list[User]:
    users = User.objects.filter(is_active=True, role__in=roles).select_related("organization").order_by("pk")
    return [u for u in users if (bureau := user_bureau(u)) is not None and bureau.pk == task.owner_id]


def _pick_task() -> Task | None:
    candidates = Task.objects.filter(state=TaskState.SCHEME_PUBLISHED, draws__isnull=True).order_by("pk")
    joint = candidates.filter(joint_plan__isnull=False).first()
    return joint or candidates.first()


def load_demo_draws(*, today: datetime.date, task: Task | None = None) -> DemoDraws:
    task = task or _pick_task()
    if task is None:
        return DemoDraws(None, None, None, "没有处于“方案已公布”状态、尚未抽取的任务，未生成演示抽取")
    if TargetDraw.objects.filter(task=task).exists():
        return DemoDraws(task, TargetDraw.objects.filter(task=task).first(), None, "该任务已有抽取，未重复生成")
    operators = _bureau_users(task, (Role.PROGRAM_ADMIN,))
    confirmers = [u for u in _bureau_users(task, (Role.LEADER, Role.SECTION_STAFF, Role.PROGRAM_ADMIN))
                  if not operators or u.pk != operators[0].pk]
    if not operators or not confirmers:
        return DemoDraws(task, None, None, "任务所属单位缺少双随机办管理员或第二名确认人，未生成演示抽取")
    operator, confirmer = operators[0], confirmers[0]
    day = format_cn_date(today)
    try:
        draw = services.draw_freeze_pool(
            actor=operator, task=task, randomness_kind="announced",
            randomness_source=f"{day} 中国福利彩票3D 开奖号码（演示）",
        )
        draw = services.draw_execute(actor=operator, draw=draw, randomness=[f"{today.isoformat()} 福彩3D 4 1 8"])
        draw = services.draw_confirm(actor=confirmer, draw=draw, comment="演示：双人确认")
        draw = _departments_confirm(draw)
        match = services.match_run(
            actor=operator, draw=draw, randomness=[f"{today.isoformat()} 双色球 03 09 14 21 27 32 + 11"],
            options=MatchOptions(fallback="direct", direct_assignment_reason="演示：本区域人员不足时直接委派"),
            allow_unstaffed=True,
        )
    except ApplicationError as error:
        logger.warning("演示抽取未生成：%s", error.message)
        return DemoDraws(task, None, None, f"演示抽取未生成：{error.message}")
    return DemoDraws(task, draw, match, f"已为任务 {task.code} 生成已确认的抽取（第{draw.sequence}次）和人员匹配")


def _departments_confirm(draw: TargetDraw) -> TargetDraw:
    """Each participating department of a joint draw confirms its part (莲池: 两个工作日内完成比对和确认)."""
    for confirmation in draw.department_confirmations.filter(confirmed_at__isnull=True).select_related("organization"):
        user = (
            User.objects.filter(organization=confirmation.organization, is_active=True,
                                role__in=(Role.PROGRAM_ADMIN, Role.SECTION_STAFF, Role.LEADER))
            .order_by("pk").first()
        )
        if user is not None:
            draw = services.draw_department_confirm(
                actor=user, confirmation=confirmation, comment="演示：已比对本部门抽查对象"
            )
    return draw


def draw_only(*, today: datetime.date, task: Task) -> TargetDraw | None:
    """Freeze, draw and confirm (双人确认) a task's targets, without matching inspectors."""
    operators = _bureau_users(task, (Role.PROGRAM_ADMIN,))
    confirmers = [u for u in _bureau_users(task, (Role.LEADER, Role.SECTION_STAFF, Role.PROGRAM_ADMIN))
                  if not operators or u.pk != operators[0].pk]
    if not operators or not confirmers:
        return None
    try:
        draw = services.draw_freeze_pool(
            actor=operators[0], task=task, randomness_kind="announced",
            randomness_source=f"{format_cn_date(today)} 中国福利彩票3D 开奖号码（演示）",
        )
        draw = services.draw_execute(actor=operators[0], draw=draw, randomness=[f"{today.isoformat()} 福彩3D 7 2 5"])
        return services.draw_confirm(actor=confirmers[0], draw=draw, comment="演示：双人确认")
    except ApplicationError as error:
        logger.warning("演示抽取未生成：%s", error.message)
        return None
