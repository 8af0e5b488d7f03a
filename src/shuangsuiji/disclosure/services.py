"""Writes of 一公开: publishing results and 行政处罚 information, holding back what the law exempts.

A published result is a snapshot (``PublishedResult``); a result exempt from publication (依法不宜公开) is kept
with ``is_public=False`` and its recorded reason, so the 公示率 and the oversight pages can account for it.
The inspections app supplies the entries (``selectors_results`` reads them); these services only publish.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.scope import Perm, check_can_edit
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory.models import Specialty, Target
from shuangsuiji.disclosure.deadlines import PublicationKind, publication_due
from shuangsuiji.disclosure.models import (
    PublishedPenalty,
    PublishedResult,
    PublishedResultSpecialty,
    ResultGroup,
    ResultRelease,
)
from shuangsuiji.disclosure.privacy import scrub
from shuangsuiji.disclosure.search import bigrams, normalize_name
from shuangsuiji.planning.models import Task

PUBLISH_PERM = Perm.PLAN_EDIT


@dataclass(frozen=True)
class ResultEntry:
    """One inspected target's result, as the inspections app hands it over for publication."""

    source_key: str
    target: Target
    inspected_on: datetime.date
    result_group: str
    result_label: str
    result_detail: str = ""
    specialties: tuple[Specialty, ...] = ()
    withheld_reason: str = ""  # non-empty: 依法不宜公开, with the legal ground


@dataclass(frozen=True)
class PenaltyEntry:
    source_key: str
    decision_no: str
    decided_on: datetime.date
    authority: str
    violation: str
    content: str
    basis: str = ""
    withheld_reason: str = ""


@dataclass
class PublishSummary:
    release: ResultRelease | None
    published: int = 0
    withheld: int = 0
    skipped: list[str] = field(default_factory=list)


def _check_group(value: str) -> None:
    if value not in ResultGroup.values:
        raise ApplicationError(f"未知的结果公示类别：{value}")


@transaction.atomic
def results_publish(
    *, actor: User, task: Task, entries: list[ResultEntry], published_at: datetime.datetime | None = None
) -> PublishSummary:
    """Publish the results of a task (one 公示批次). Entries already published are skipped (idempotent)."""
    task = Task.objects.select_for_update().select_related("owner").get(pk=task.pk)
    check_can_edit(actor, task.owner_id, PUBLISH_PERM)
    if not entries:
        raise ApplicationError("没有可公示的抽查结果")
    now = published_at or timezone.now()
    existing = set(
        PublishedResult.objects.filter(source_key__in=[e.source_key for e in entries]).values_list(
            "source_key", flat=True
        )
    )
    fresh = [e for e in entries if e.source_key not in existing]
    summary = PublishSummary(release=None, skipped=sorted(existing))
    if not fresh:
        return summary
    completed_on = timezone.localtime(task.completed_at).date() if task.completed_at else None
    due = publication_due(PublicationKind.RESULT, completed_on) if completed_on else None
    for entry in fresh:
        _check_group(entry.result_group)
    release = ResultRelease.objects.create(
        owner=task.owner, task=task, title=f"{task.title}抽查结果公示", task_completed_on=completed_on,
        due_on=due.date if due else None, due_provisional=bool(due and due.provisional), published_at=now,
        published_by=actor,
    )
    rows: list[PublishedResult] = []
    for entry in fresh:
        target = entry.target
        withheld = entry.withheld_reason.strip()
        rows.append(PublishedResult(
            owner=task.owner, source_key=entry.source_key, release=release, task=task, task_code=task.code,
            task_title=task.title, organization_name=task.owner.name, target=target, uscc=target.uscc,
            enterprise_name=target.name, name_search=normalize_name(target.name),
            name_bigrams=bigrams(normalize_name(target.name)), region_id=target.region_id,
            specialty_names="、".join(s.name for s in entry.specialties), year=task.year,
            inspected_on=entry.inspected_on, result_group=entry.result_group, result_label=entry.result_label,
            result_detail=scrub(entry.result_detail), is_public=not withheld, withheld_reason=withheld,
            withheld_by=actor if withheld else None, withheld_at=now if withheld else None,
            published_at=now,
        ))
    created = PublishedResult.objects.bulk_create(rows)
    links = [
        PublishedResultSpecialty(result=row, specialty=specialty)
        for row, entry in zip(created, fresh, strict=True)
        for specialty in entry.specialties
    ]
    PublishedResultSpecialty.objects.bulk_create(links)
    summary.withheld = sum(1 for r in created if not r.is_public)
    summary.published = len(created) - summary.withheld
    release.public_count, release.withheld_count = summary.published, summary.withheld
    release.save(update_fields=["public_count", "withheld_count", "updated_at"])
    summary.release = release
    audit_record(
        actor=actor, event="disclosure.results_publish", target=release,
        changes={
            "task": task.code, "published": summary.published, "withheld": summary.withheld,
            "withheld_reasons": {r.source_key: r.withheld_reason for r in created if not r.is_public},
        },
    )
    return summary


@transaction.atomic
def penalty_publish(*, actor: User, result: PublishedResult, entry: PenaltyEntry,
                    published_at: datetime.datetime | None = None) -> PublishedPenalty:
    """Publish one 行政处罚 decision under its result (7 working days from the decision)."""
    result = PublishedResult.objects.select_for_update().get(pk=result.pk)
    check_can_edit(actor, result.owner_id, PUBLISH_PERM)
    if PublishedPenalty.objects.filter(source_key=entry.source_key).exists():
        raise ApplicationError(f"处罚决定 {entry.decision_no} 已公示")
    if not entry.decision_no.strip() or not entry.content.strip():
        raise ApplicationError("处罚决定书文号和处罚内容不能为空")
    due = publication_due(PublicationKind.PENALTY, entry.decided_on)
    withheld = entry.withheld_reason.strip()
    penalty = PublishedPenalty.objects.create(
        result=result, source_key=entry.source_key, decision_no=entry.decision_no.strip(),
        decided_on=entry.decided_on, authority=entry.authority, violation=scrub(entry.violation),
        basis=scrub(entry.basis), content=scrub(entry.content), is_public=not withheld, withheld_reason=withheld, due_on=due.date,
        due_provisional=due.provisional, published_at=published_at or timezone.now(), published_by=actor,
    )
    audit_record(
        actor=actor, event="disclosure.penalty_publish", target=penalty,
        changes={"decision_no": penalty.decision_no, "result": result.pk, "withheld_reason": withheld},
    )
    return penalty


@transaction.atomic
def result_withhold(*, actor: User, result: PublishedResult, reason: str) -> PublishedResult:
    """Take a published result off the portal (e.g. a later court decision); the reason is mandatory."""
    result = PublishedResult.objects.select_for_update().get(pk=result.pk)
    check_can_edit(actor, result.owner_id, PUBLISH_PERM)
    if not reason.strip():
        raise ApplicationError("不予公开须记录法律依据和理由")
    if not result.is_public:
        raise ApplicationError("该结果已处于不予公开状态")
    result.is_public = False
    result.withheld_reason = reason.strip()
    result.withheld_by = actor
    result.withheld_at = timezone.now()
    result.save(update_fields=["is_public", "withheld_reason", "withheld_by", "withheld_at", "updated_at"])
    audit_record(actor=actor, event="disclosure.result_withhold", target=result,
                 changes={"is_public": (True, False), "reason": result.withheld_reason})
    return result


# ---------------------------------------------------------------- from the inspections app


@transaction.atomic
def results_publish_task(*, actor: User, task: Task, withheld: dict[int, str] | None = None) -> PublishSummary:
    """Publish the task's reviewed records (一企一表 审核通过) not yet published.

    ``withheld`` maps record pks to the legal ground for not publishing them (依法不宜公开). When the task is
    完成 and every record is now published or withheld, the task moves to 已公示 (which completes the
    publication deadline of the oversight app through the planning hooks).
    """
    from shuangsuiji.disclosure.selectors_results import result_entries, unpublished_record_count
    from shuangsuiji.planning.models import TaskState
    from shuangsuiji.planning.services import task_transition

    check_can_edit(actor, task.owner_id, PUBLISH_PERM)
    entries = result_entries(actor=actor, task=task, withheld=withheld)
    summary = results_publish(actor=actor, task=task, entries=entries)
    task.refresh_from_db()
    if task.state == TaskState.COMPLETED and not unpublished_record_count(task):
        task_transition(actor=actor, task=task, to_state=TaskState.PUBLISHED, comment="抽查结果已全部公示")
    return summary


@transaction.atomic
def penalty_publish_case(*, actor: User, case_id: int, withheld_reason: str = "") -> PublishedPenalty:
    """Publish the 行政处罚 decision of a follow-up case under its published result (7 working days)."""
    from shuangsuiji.deadlines.services import deadline_complete
    from shuangsuiji.disclosure.selectors_results import (
        CASE_KEY,
        published_result_for_record,
        unpublished_penalty_cases,
    )

    case = unpublished_penalty_cases(actor=actor).filter(pk=case_id).first()
    if case is None:
        raise ApplicationError("该处罚决定不存在、不在您的数据范围内或已公示")
    result = published_result_for_record(case.record_id)
    if result is None:
        raise ApplicationError("请先公示该检查对象的抽查结果，再公示行政处罚信息")
    assert case.penalty_decided_on is not None
    content = case.penalty_content
    if case.penalty_amount is not None:
        content = f"{content}（罚没款 {case.penalty_amount} 元）"
    penalty = penalty_publish(actor=actor, result=result, entry=PenaltyEntry(
        source_key=CASE_KEY.format(case.pk), decision_no=case.penalty_decision_number,
        decided_on=case.penalty_decided_on, authority=case.owner.name, violation=case.problem, content=content,
        withheld_reason=withheld_reason,
    ))
    if result.result_group != ResultGroup.PENALTY:
        PublishedResult.objects.filter(pk=result.pk).update(result_group=ResultGroup.PENALTY, updated_at=timezone.now())
    deadline_complete(subject=case, kind="penalty_publication", actor=actor)
    return penalty
