"""Reads of inspections, always scoped to the actor (models.InspectionQuerySet.visible_to)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from shuangsuiji.accounts.models import Organization, Region, User
from shuangsuiji.accounts.scope import get_visible_or_404
from shuangsuiji.directory.models import Inspector, Target
from shuangsuiji.inspections.models import (
    CaseStatus,
    Evidence,
    FollowUpCase,
    InspectionNotice,
    InspectionRecord,
    RecordStatus,
    ResultCode,
)
from shuangsuiji.inspections.workdays import calendar
from shuangsuiji.planning.models import Task

MAX_AGE_DAYS = 36_500


def _int(value: Any) -> int | None:
    """A filter value as an int; garbage → None (filter ignored), out of the id range → 0 (matches nothing)."""
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError, OverflowError):
        return None
    if number is not None and not 0 <= number < 2**63:
        return 0
    return number


# ---------------------------------------------------------------- records


def record_list(*, actor: User, filters: dict[str, Any] | None = None) -> QuerySet[InspectionRecord]:
    data = filters or {}
    qs = InspectionRecord.objects.visible_to(actor).select_related("task", "target", "target__region", "owner")
    if task_id := _int(data.get("task")):
        qs = qs.filter(task_id=task_id)
    if status := data.get("status"):
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=RecordStatus.CANCELLED)
    if q := str(data.get("q") or "").strip():
        qs = qs.filter(Q(target__name__icontains=q) | Q(number__icontains=q))
    if data.get("mine"):
        qs = qs.filter(members__inspector__user_id=actor.pk).distinct()
    return qs.order_by("-task__window_start", "number")


def record_get(*, actor: User, pk: int) -> InspectionRecord:
    return get_visible_or_404(
        InspectionRecord.objects.select_related(
            "task", "target", "target__region", "owner", "draw", "signature_file", "submitted_by", "reviewed_by"
        ),
        actor, pk=pk,
    )


def record_entry_queue(*, actor: User) -> QuerySet[InspectionRecord]:
    """The records the actor's team still has to enter (pending or returned)."""
    return (
        InspectionRecord.objects.visible_to(actor)
        .filter(members__inspector__user_id=actor.pk, status__in=[RecordStatus.PENDING, RecordStatus.RETURNED])
        .select_related("task", "target")
        .distinct()
        .order_by("entry_deadline", "number")
    )


def review_queue(*, actor: User) -> QuerySet[InspectionRecord]:
    return (
        InspectionRecord.objects.visible_to(actor)
        .filter(status=RecordStatus.SUBMITTED)
        .select_related("task", "target", "submitted_by")
        .order_by("submitted_at")
    )


def task_get(*, actor: User, pk: int) -> Task:
    return get_visible_or_404(Task.objects.select_related("owner"), actor, pk=pk)


def task_list_with_records(*, actor: User) -> QuerySet[Task]:
    return (
        Task.objects.visible_to(actor)
        .annotate(
            record_count=Count("inspection_records", filter=~Q(inspection_records__status=RecordStatus.CANCELLED)),
            entered_count=Count(
                "inspection_records",
                filter=Q(inspection_records__status__in=[RecordStatus.SUBMITTED, RecordStatus.APPROVED]),
            ),
        )
        .order_by("-window_start", "code")
    )


def record_for_print(*, actor: User, pk: int) -> InspectionRecord:
    return get_visible_or_404(
        InspectionRecord.objects.select_related("task", "target", "target__region", "owner", "draw"),
        actor, pk=pk,
    )


# ---------------------------------------------------------------- result codes


@dataclass(frozen=True)
class CodeNode:
    code: ResultCode
    depth: int


def result_code_tree(*, include_inactive: bool = False) -> list[CodeNode]:
    """The result codes in tree order (parent before children) with their depth."""
    rows = list(ResultCode.objects.all() if include_inactive else ResultCode.objects.filter(is_active=True))
    children: dict[int | None, list[ResultCode]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    ordered: list[CodeNode] = []

    def walk(parent: int | None, depth: int) -> None:
        for row in sorted(children.get(parent, []), key=lambda r: (r.sort_order, r.code)):
            ordered.append(CodeNode(row, depth))
            walk(row.pk, depth + 1)

    walk(None, 0)
    return ordered


# ---------------------------------------------------------------- evidence and notices


def evidence_get(*, actor: User, pk: int) -> Evidence:
    return get_visible_or_404(Evidence.objects.select_related("record"), actor, pk=pk)


def notice_get(*, actor: User, pk: int) -> InspectionNotice:
    return get_visible_or_404(
        InspectionNotice.objects.select_related("record", "record__task", "record__target", "owner"), actor, pk=pk
    )


# ---------------------------------------------------------------- 后续处置台账


def case_list(*, actor: User, filters: dict[str, Any] | None = None) -> QuerySet[FollowUpCase]:
    data = filters or {}
    qs = FollowUpCase.objects.visible_to(actor).select_related(
        "record", "record__task", "target", "region", "section", "inspector"
    )
    status = data.get("status", CaseStatus.OPEN)
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    if section := _int(data.get("section")):
        qs = qs.filter(section_id=section)
    if inspector := _int(data.get("inspector")):
        qs = qs.filter(inspector_id=inspector)
    if region := _int(data.get("region")):
        qs = qs.filter(region_id=region)
    if task := _int(data.get("task")):
        qs = qs.filter(record__task_id=task)
    if (min_age := _int(data.get("min_age"))) is not None:
        qs = qs.filter(opened_on__lte=timezone.localdate() - datetime.timedelta(days=min(min_age, MAX_AGE_DAYS)))
    if q := str(data.get("q") or "").strip():
        qs = qs.filter(Q(target__name__icontains=q) | Q(number__icontains=q) | Q(case_number__icontains=q))
    return qs.order_by("opened_on", "pk")


def case_get(*, actor: User, pk: int) -> FollowUpCase:
    return get_visible_or_404(
        FollowUpCase.objects.select_related(
            "record", "record__task", "target", "region", "section", "inspector", "finding", "closed_by"
        ),
        actor, pk=pk,
    )


@dataclass(frozen=True)
class LedgerRow:
    case: FollowUpCase
    age_days: int
    age_workdays: int
    overdue_rectification: bool


def ledger_rows(cases: Iterable[FollowUpCase], *, today: datetime.date | None = None) -> list[LedgerRow]:
    today = today or timezone.localdate()
    days = calendar()
    rows = []
    for case in cases:
        end = case.closed_on or today
        overdue = bool(
            case.status == CaseStatus.OPEN and case.rectify_deadline and case.rectify_deadline < today
            and case.recheck_passed is not True
        )
        rows.append(
            LedgerRow(case, (end - case.opened_on).days, max(0, days.workdays_between(case.opened_on, end)), overdue)
        )
    return rows


@dataclass(frozen=True)
class LedgerChoices:
    sections: list[Organization]
    inspectors: list[Inspector]
    regions: list[Region]


def ledger_choices(*, actor: User) -> LedgerChoices:
    visible = FollowUpCase.objects.visible_to(actor)
    return LedgerChoices(
        sections=list(Organization.objects.filter(pk__in=visible.values("section_id")).order_by("name")),
        inspectors=list(Inspector.objects.filter(pk__in=visible.values("inspector_id")).order_by("name")),
        regions=list(Region.objects.filter(pk__in=visible.values("region_id")).order_by("code")),
    )


# ---------------------------------------------------------------- targets


def target_get(*, actor: User, pk: int) -> Target:
    return get_visible_or_404(Target.objects.select_related("region"), actor, pk=pk)


def target_history(*, actor: User, target: Target) -> tuple[QuerySet[InspectionRecord], QuerySet[FollowUpCase]]:
    records = (
        InspectionRecord.objects.visible_to(actor).filter(target=target).select_related("task")
        .prefetch_related("result_codes").order_by("-inspected_on", "-pk")
    )
    cases = FollowUpCase.objects.visible_to(actor).filter(target=target).select_related("record").order_by("-opened_on")
    return records, cases

