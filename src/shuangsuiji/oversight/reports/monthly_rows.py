"""月报表 rows as 涞源's form writes them (issue 20 item 9).

- Row 4 is “本月按年度随机抽查工作计划本级开展随机抽查情况”: only tasks under the annual plan (a plan line) count
  there. Tasks handed down (国家/上级下达), 部门联合抽查 and 非随机检查 are reported in a note row of their own.
- Row 5 of a county report (“全县本系统开展随机抽查情况”) lists the bureau's 股室 and its 卫生监督所 — the units that
  do the work — not just the bureau: a unit's tasks are those it is the 责任股室 of (plan line) or whose
  一企一表 its staff lead; its inspected targets and published results are those of the records its staff lead.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from shuangsuiji.accounts.models import Organization, OrganizationKind, RegionLevel
from shuangsuiji.inspections.models import InspectionRecord, MemberRole, RecordMember
from shuangsuiji.oversight import dashboard_results as results
from shuangsuiji.oversight.dashboard import Period
from shuangsuiji.planning.models import NonRandomSource, Task, TaskKind


def plan_tasks(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Row 4: tasks under the annual plan only."""
    return tasks.filter(plan_line__isnull=False, kind=TaskKind.RANDOM, national_task__isnull=True)


def other_task_lines(tasks: QuerySet[Task], period: Period) -> list[str]:
    """The note row: active tasks outside the annual plan, by kind, with their inspections of the month."""
    others = tasks.exclude(pk__in=plan_tasks(tasks).values("pk")).select_related(
        "national_task", "joint_plan", "nonrandom_basis").order_by("code")
    inspected = dict(
        InspectionRecord.objects.filter(
            task__in=others, inspected_on__gte=period.start, inspected_on__lte=period.end,
            status__in=results.RESULT_ENTERED,
        ).order_by().values("task_id").annotate(n=Count("target_id", distinct=True)).values_list("task_id", "n")
    )
    labels = dict(NonRandomSource.choices)
    lines = []
    for task in others:
        if task.kind == TaskKind.NONRANDOM:
            basis = getattr(task, "nonrandom_basis", None)
            kind = f"非随机检查（{labels.get(basis.source, '') if basis else ''}）"
        elif task.national_task_id:
            kind = "国家/上级下达任务"
        elif task.joint_plan_id:
            kind = "部门联合抽查"
        else:
            kind = "计划外随机抽查"
        lines.append(f"{kind} {task.code} {task.title}：本月检查{int(inspected.get(task.pk) or 0)}户")
    return lines


def is_county(owner: Organization) -> bool:
    return owner.region.level == RegionLevel.COUNTY


def unit_rows(owner: Organization, period: Period, tasks: QuerySet[Task]) -> list[dict[str, Any]]:
    """Row 5 of a county report: the bureau's 股室 and 监督所 (and the bureau itself for work led by no unit)."""
    units = list(
        Organization.objects.filter(
            parent=owner, kind__in=[OrganizationKind.SECTION, OrganizationKind.SUPERVISION_INSTITUTE], is_active=True,
        ).order_by("kind", "code")
    )
    unit_ids = {u.pk for u in units}
    inspected = results.inspected_queryset([owner.pk], period)
    leaders = dict(
        RecordMember.objects.filter(record__owner=owner, role=MemberRole.LEADER)
        .values_list("record_id", "inspector__organization_id")
    )

    def unit_of(record_id: int) -> int:
        found = leaders.get(record_id)
        return found if found in unit_ids else owner.pk

    by_unit: dict[int, dict[str, Any]] = {u.pk: {"tasks": set(), "inspected": set(), "published": 0} for u in units}
    by_unit[owner.pk] = {"tasks": set(), "inspected": set(), "published": 0}
    for task_id, section_id in tasks.values_list("pk", "plan_line__responsible_section_id"):
        if section_id in unit_ids:
            by_unit[section_id]["tasks"].add(task_id)
    for record_id, task_id, target_id in inspected.values_list("pk", "task_id", "target_id"):
        unit = by_unit[unit_of(record_id)]
        unit["tasks"].add(task_id)
        unit["inspected"].add(target_id)
    published = _published_records(owner, period)
    for record_id in published:
        by_unit[unit_of(record_id)]["published"] += 1
    rows = []
    for org in [*units, owner]:
        data = by_unit[org.pk]
        if org.pk == owner.pk and not (data["tasks"] or data["inspected"] or data["published"]):
            continue
        rows.append({"organization": org.name, "tasks": len(data["tasks"]), "inspected": len(data["inspected"]),
                     "published": data["published"]})
    return rows


def _published_records(owner: Organization, period: Period) -> list[int]:
    """Records of the bureau whose results were made public within the period."""
    from django.apps import apps

    if results.disclosure_installed():
        model = apps.get_model(results.DISCLOSURE_APP, results.PUBLISHED_RESULT)
        keys = model.objects.filter(
            owner=owner, source_key__startswith=results.DISCLOSURE_RECORD_KEY, published_at__gte=period.start_dt,
            published_at__lt=period.end_dt,
        ).values_list("source_key", flat=True)
        return [int(k.removeprefix(results.DISCLOSURE_RECORD_KEY)) for k in keys]
    return []
