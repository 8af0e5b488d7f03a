"""Who may do what with records and cases (on top of accounts.scope's bureau scope)."""

from __future__ import annotations

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.accounts.scope import Perm, check_can_edit, user_bureau
from shuangsuiji.common.exceptions import PermissionDeniedError
from shuangsuiji.inspections.models import FollowUpCase, InspectionRecord, RecordMember
from shuangsuiji.planning.models import Task

# The 科室 head / 双随机办 / leader review results and close cases; an inspector never reviews.
REVIEW_ROLES = frozenset({Role.PROGRAM_ADMIN, Role.SECTION_STAFF, Role.LEADER})


def is_team_member(actor: User, record: InspectionRecord) -> bool:
    return RecordMember.objects.filter(record=record, inspector__user_id=actor.pk).exists()


def check_can_generate(actor: User, task: Task) -> None:
    check_can_edit(actor, task.owner_id, Perm.PLAN_EDIT)


def check_can_enter(actor: User, record: InspectionRecord) -> None:
    """Results are entered by the team (谁检查、谁录入) or, for them, by the bureau's staff."""
    check_can_edit(actor, record.owner_id, Perm.INSPECTION_ENTER)
    if actor.role == Role.INSPECTOR and not actor.is_superuser and not is_team_member(actor, record):
        raise PermissionDeniedError("您不是该检查组成员，不能录入本表")


def _responsible_section_id(record: InspectionRecord) -> int | None:
    from shuangsuiji.inspections.followup import responsible_section

    section = responsible_section(record)
    return section.pk if section is not None else None


def can_review(actor: User, record: InspectionRecord) -> bool:
    """双随机办 and leaders of the bureau; section staff only of the 科室 responsible for the task's items
    (any 科室 of the bureau when the plan names none)."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if not actor.is_superuser:
        bureau = user_bureau(actor)
        if actor.role not in REVIEW_ROLES or bureau is None or bureau.pk != record.owner_id:
            return False
        if actor.role == Role.SECTION_STAFF:
            section_id = _responsible_section_id(record)
            if section_id is not None and actor.organization_id != section_id:
                return False
    return True


def check_can_review(actor: User, record: InspectionRecord) -> None:
    if not can_review(actor, record):
        raise PermissionDeniedError("只有负责该事项的科室、本单位双随机办或领导可以审核检查结果")
    if record.submitted_by_id == actor.pk:
        raise PermissionDeniedError("录入人不能审核自己录入的结果")
    if RecordMember.objects.filter(record=record, inspector__user_id=actor.pk, present=True).exists():
        raise PermissionDeniedError("检查组成员不能审核本组的检查结果")


def check_can_handle_case(actor: User, case: FollowUpCase) -> None:
    check_can_edit(actor, case.owner_id, Perm.INSPECTION_ENTER)


def check_can_close_case(actor: User, case: FollowUpCase) -> None:
    if not can_review(actor, case.record):
        raise PermissionDeniedError("只有负责该事项的科室、本单位双随机办或领导可以办结后续处置")
