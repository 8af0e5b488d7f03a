"""What the draws app adds to planning's tasks (registered in ``DrawsConfig.ready()``): the guard of the task
state machine and the 双随机抽取 card of the task page.

已抽取对象 needs a draw, 已匹配人员 a valid match, 检查中 a match confirmed by a second person; going back from
已匹配人员 to 已抽取对象 happens only when an approved re-draw has voided the match.
"""

from __future__ import annotations

from typing import Any

from shuangsuiji.accounts.models import User
from shuangsuiji.draws.instructions import draw_verify_commands, match_verify_commands
from shuangsuiji.draws.models import DrawStatus, InspectorMatch, MatchStatus, TargetDraw
from shuangsuiji.draws.selectors import task_draw_summary
from shuangsuiji.planning.models import Task, TaskState


def draws_task_guard(task: Task, frm: str, to: str) -> str | None:
    if to not in (TaskState.TARGETS_DRAWN, TaskState.INSPECTORS_MATCHED, TaskState.INSPECTING):
        return None
    if frm == TaskState.DRAFT:  # 非随机检查 (草稿 → 检查中): no draw and no match (inspections checks the team)
        return None
    active_matches = InspectorMatch.objects.filter(task=task, status__in=[MatchStatus.MATCHED, MatchStatus.CONFIRMED])
    if to == TaskState.TARGETS_DRAWN and frm == TaskState.SCHEME_PUBLISHED:
        if not TargetDraw.objects.filter(task=task, status__in=[DrawStatus.DRAWN, DrawStatus.CONFIRMED]).exists():
            return "尚未抽取检查对象：请在“双随机抽取”中冻结对象池、公布随机数并抽取"
    elif to == TaskState.TARGETS_DRAWN:  # back from 已匹配人员: only when a re-draw has voided the match
        if active_matches.exists():
            return "人员匹配仍然有效：重新抽取须经申请和审批，批准后原匹配自动作废"
    elif to == TaskState.INSPECTORS_MATCHED:
        if not active_matches.exists():
            return "尚未匹配执法检查人员：请在“双随机抽取”中随机匹配执法人员"
    elif to == TaskState.INSPECTING:
        if not active_matches.filter(status=MatchStatus.CONFIRMED).exists():
            return "人员匹配尚未经第二人确认，不能开始检查"
    return None


def draws_task_page(actor: User, task: Task) -> dict[str, Any]:
    """The 双随机抽取 card of the task page, its verification commands and the draw's deadlines."""
    summary = task_draw_summary(actor=actor, task=task)
    verify_commands: list[str] = []
    subjects: list[Any] = []
    if summary.draw is not None:
        subjects.append(summary.draw)
        if summary.draw.record:
            verify_commands = draw_verify_commands(summary.draw)
            if summary.match is not None:
                verify_commands += match_verify_commands(summary.match)
    return {"draw_summary": summary, "verify_commands": verify_commands, "deadline_subjects": subjects}
