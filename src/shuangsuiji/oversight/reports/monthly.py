"""Content of the “双随机、一公开”监管工作月报表 (seed 001 附件, 涞源县卫生健康局), filled from the data.

The form has nine fields in two parts::

    一、“双随机、一公开”监管工作安排部署情况
      1 本月召开会议部署随机抽查工作情况        ← register: meetings of the month
      2 本月印发双随机工作文件情况              ← register: documents + 工作方案/计划 published this month
      3 本月组织随机抽查业务培训情况            ← register: trainings (name, participants, content)
    二、“双随机、一公开”监管工作开展情况
      4 本月按年度随机抽查工作计划{本级}开展随机抽查情况  (the bureau's own tasks active this month)
        本月组织随机抽查的文件                   ← 工作方案 titles and 文号
        随机抽查抽查对象范围、数量、抽查比例       ← scope, pool, drawn, ratio; inspected this month
        随机抽查的检查事项（多少大项、多少小项）    ← items and sub-items of the tasks
        随机抽查结果公示情况（网站及公示数量）      ← website + results published this month
      5 全{级}本系统开展随机抽查情况             ← per bureau of the scope: tasks, inspected, published

A task is *active* in a month when its draw was confirmed, an inspection took place or its 工作方案 was
published in that month. Every field can be overwritten by the user before submission (``report.texts``).
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, Sum

from shuangsuiji.accounts.models import Organization
from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.directory.models import CheckItem
from shuangsuiji.draws.models import DrawnTarget, DrawStatus, TargetDraw
from shuangsuiji.inspections.models import InspectionRecord
from shuangsuiji.oversight import dashboard_results as results
from shuangsuiji.oversight.dashboard import Period, organization_scope
from shuangsuiji.oversight.measure_stats import measure_text
from shuangsuiji.oversight.models_reports import MonthlyReport, WorkEvent, WorkEventKind
from shuangsuiji.oversight.reports.monthly_rows import is_county, other_task_lines, plan_tasks, unit_rows
from shuangsuiji.planning.models import AnnualPlan, Task, WorkScheme

# (key, number shown in the form, label, hint of the form)
FIELDS: list[tuple[str, str, str, str]] = [
    ("meetings", "1", "本月召开会议部署随机抽查工作情况", "注明召开会议的名称及时间"),
    ("documents", "2", "本月印发双随机工作文件情况", "注明文件名称及文号"),
    ("trainings", "3", "本月组织随机抽查业务培训情况", "培训班名称、培训人员数量及内容"),
    ("task_documents", "", "本月组织随机抽查的文件", ""),
    ("scope", "", "随机抽查抽查对象范围、数量、抽查比例", ""),
    ("items", "", "随机抽查的检查事项", "多少大项、多少小项"),
    ("publication", "", "随机抽查结果公示情况", "注明抽查结果公示的网站及公示数量"),
    ("system", "5", "全{level}本系统开展随机抽查情况", "开展的单位及抽查检查主体数量及抽查结果公示数量等情况"),
    # not a numbered row of the form: tasks outside the annual plan, reported apart from row 4 (issue 20 item 9)
    ("notes", "", "备注：年度计划外的抽查检查", "国家/上级下达任务、部门联合抽查、非随机检查，单独列示，不计入第4项"),
]
SECTION_1 = "一、“双随机、一公开”监管工作安排部署情况"
SECTION_2 = "二、“双随机、一公开”监管工作开展情况"
ROW_4 = "本月按年度随机抽查工作计划{level}本级开展随机抽查情况"
FIELD_KEYS = [key for key, *_ in FIELDS]


def level_word(organization: Organization) -> str:
    """市 / 县 / 区 / 省 — the word of the form (“市本级”, “全市本系统”)."""
    last = organization.region.name[-1:] if organization.region.name else ""
    return last if last in "省市县区旗" else "市"


@dataclass
class TaskLine:
    code: str
    title: str
    document: str
    scope: str
    pool: int
    drawn: int
    inspected: int

    @property
    def ratio(self) -> str:
        return f"{self.drawn * 100 / self.pool:.1f}%" if self.pool else "—"


@dataclass
class MonthlyContent:
    """Everything the form shows; a submitted report stores this (``as_json``) and is rendered from it."""

    organization: str
    year: int
    month: int
    level: str
    filled_on: str
    website: str
    contact_person: str
    contact_phone: str
    mobile: str
    generated: dict[str, str]
    texts: dict[str, str]
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.organization}“双随机、一公开”监管工作月报表"

    @property
    def period_text(self) -> str:
        return f"{self.year}年{self.month}月"

    def text(self, key: str) -> str:
        return self.texts.get(key) or self.generated.get(key, "")

    def label(self, key: str) -> str:
        return next(label for k, _n, label, _h in FIELDS if k == key).format(level=self.level)

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(kind, number, label, text) in the order of the form; kind is section / field / group / sub."""
        out: list[tuple[str, str, str, str]] = [("section", "", SECTION_1, "")]
        for key, number, _label, hint in FIELDS[:3]:
            out.append(("field", number, f"{self.label(key)}（{hint}）", self.text(key)))
        out.append(("section", "", SECTION_2, ""))
        out.append(("group", "4", ROW_4.format(level=self.level), ""))
        for key, _number, _label, hint in FIELDS[3:7]:
            label = f"{self.label(key)}（{hint}）" if hint else self.label(key)
            out.append(("sub", "", label, self.text(key)))
        key, number, _label, hint = FIELDS[7]
        out.append(("field", number, f"{self.label(key)}（{hint}）", self.text(key)))
        if self.text("notes"):  # snapshots submitted before the note row existed have none
            key, number, _label, hint = FIELDS[8]
            out.append(("field", number, f"{self.label(key)}（{hint}）", self.text(key)))
        return out

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MonthlyContent:
        return cls(**data)


# ---------------------------------------------------------------------------------------- data


def _lines(items: list[str], empty: str) -> str:
    if not items:
        return empty
    if len(items) == 1:
        return items[0]
    return "\n".join(f"{n}. {item}" for n, item in enumerate(items, start=1))


def _events(owner: Organization, period: Period, kind: str) -> list[WorkEvent]:
    return list(WorkEvent.objects.filter(owner=owner, kind=kind, held_on__gte=period.start,
                                         held_on__lte=period.end).order_by("held_on", "pk"))


def _documents(owner: Organization, period: Period) -> list[str]:
    lines = [
        f"《{e.title}》{f'（{e.document_number}）' if e.document_number else ''}，{format_cn_date(e.held_on)}印发"
        for e in _events(owner, period, WorkEventKind.DOCUMENT)
    ]
    schemes = WorkScheme.objects.filter(
        task__owner=owner, published_at__gte=period.start_dt, published_at__lt=period.end_dt
    ).order_by("published_at")
    lines += [f"《{s.title}》{f'（{s.document_number}）' if s.document_number else ''}（抽查工作方案，已公布）"
              for s in schemes]
    plans = AnnualPlan.objects.filter(owner=owner, published_at__gte=period.start_dt, published_at__lt=period.end_dt)
    lines += [f"《{p}》（年度抽查计划，已公布）" for p in plans]
    return lines


def active_tasks(owner_ids: list[int], period: Period) -> Any:
    confirmed = TargetDraw.objects.filter(
        owner_id__in=owner_ids, status=DrawStatus.CONFIRMED, confirmed_at__gte=period.start_dt,
        confirmed_at__lt=period.end_dt,
    ).values("task_id")
    inspected = InspectionRecord.objects.filter(
        owner_id__in=owner_ids, inspected_on__gte=period.start, inspected_on__lte=period.end,
        status__in=results.RESULT_ENTERED,
    ).values("task_id")
    schemes = WorkScheme.objects.filter(
        task__owner_id__in=owner_ids, published_at__gte=period.start_dt, published_at__lt=period.end_dt
    ).values("task_id")
    return Task.objects.filter(owner_id__in=owner_ids).filter(
        Q(pk__in=confirmed) | Q(pk__in=inspected) | Q(pk__in=schemes)
    )


def task_lines(owner: Organization, period: Period) -> list[TaskLine]:
    """Row 4: the bureau's active tasks under the annual plan (``monthly_rows.plan_tasks``)."""
    tasks = list(
        plan_tasks(active_tasks([owner.pk], period)).prefetch_related("specialties", "regions").order_by("code")
    )
    ids = [t.pk for t in tasks]
    schemes = {s.task_id: s for s in WorkScheme.objects.filter(task_id__in=ids)}
    pools = dict(
        TargetDraw.objects.filter(task_id__in=ids, status=DrawStatus.CONFIRMED).order_by()
        .values("task_id").annotate(pool=Sum("pool_size")).values_list("task_id", "pool")
    )
    drawn = dict(
        DrawnTarget.objects.filter(draw__task_id__in=ids, draw__status=DrawStatus.CONFIRMED).order_by()
        .values("draw__task_id").annotate(n=Count("pk")).values_list("draw__task_id", "n")
    )
    inspected = dict(
        InspectionRecord.objects.filter(
            task_id__in=ids, inspected_on__gte=period.start, inspected_on__lte=period.end,
            status__in=results.RESULT_ENTERED,
        ).order_by().values("task_id").annotate(n=Count("target_id", distinct=True)).values_list("task_id", "n")
    )
    lines = []
    for task in tasks:  # the few tasks of one bureau in one month
        scheme = schemes.get(task.pk)
        document = f"《{scheme.title}》" if scheme else f"《{task.title}》"
        if scheme and scheme.document_number:
            document += f"（{scheme.document_number}）"
        specialties = "、".join(s.name for s in task.specialties.all()) or "—"
        regions = "、".join(r.name for r in task.regions.all()) or "本单位全部辖区"
        lines.append(TaskLine(task.code, task.title, document, f"{regions}的{specialties}检查对象",
                              int(pools.get(task.pk) or 0), int(drawn.get(task.pk) or 0),
                              int(inspected.get(task.pk) or 0)))
    return lines


def items_text(owner: Organization, period: Period) -> tuple[str, int, int]:
    ids = plan_tasks(active_tasks([owner.pk], period)).values("pk")
    items = list(CheckItem.objects.filter(tasks__in=ids).distinct().order_by("code"))
    minor = sum(len(item.sub_items or []) for item in items)
    if not items:
        return "本月无随机抽查任务", 0, 0
    names = "；".join(f"{item.name}（{len(item.sub_items or [])}小项）" for item in items)
    return f"共{len(items)}大项、{minor}小项：{names}", len(items), minor


def system_rows(organization: Organization, period: Period) -> list[dict[str, Any]]:
    """Per bureau of the organization's scope: tasks active in the month, targets inspected, results published."""
    scope = organization_scope(organization)
    owner_ids = scope.owner_ids
    tasks = dict(active_tasks(owner_ids, period).order_by().values("owner_id").annotate(n=Count("pk"))
                 .values_list("owner_id", "n"))
    inspected = dict(
        results.inspected_queryset(owner_ids, period).order_by().values("owner_id")
        .annotate(n=Count("target_id", distinct=True)).values_list("owner_id", "n")
    )
    published = results.published_in_period(owner_ids, period)
    rows = []
    for pk in sorted(owner_ids, key=lambda pk: (scope.owners[pk].region.path, scope.owners[pk].code)):
        rows.append({"organization": scope.owners[pk].name, "tasks": int(tasks.get(pk, 0)),
                     "inspected": int(inspected.get(pk, 0)), "published": int(published.get(pk, 0))})
    return rows


def build_monthly(report: MonthlyReport) -> MonthlyContent:
    """The form filled from the data (live) with the user's texts; a submitted report returns its snapshot."""
    if report.snapshot:
        return MonthlyContent.from_json(report.snapshot)
    owner = report.owner
    period = Period.month(report.year, report.month)
    level = level_word(owner)
    generated: dict[str, str] = {}
    generated["meetings"] = _lines(
        [f"{format_cn_date(e.held_on)}召开{e.title}" + (f"：{e.content}" if e.content else "")
         for e in _events(owner, period, WorkEventKind.MEETING)], "本月未召开部署随机抽查工作的会议")
    generated["documents"] = _lines(_documents(owner, period), "本月未印发双随机工作文件")
    generated["trainings"] = _lines(
        [f"{format_cn_date(e.held_on)}举办《{e.title}》，培训{e.participants or 0}人" + (f"，内容：{e.content}" if e.content else "")
         for e in _events(owner, period, WorkEventKind.TRAINING)], "本月未组织随机抽查业务培训")
    lines = task_lines(owner, period)
    generated["task_documents"] = _lines([line.document for line in lines], "本月未组织随机抽查")
    pool = sum(line.pool for line in lines)
    drawn = sum(line.drawn for line in lines)
    inspected = sum(line.inspected for line in lines)
    scope_lines = [
        f"{line.code} {line.title}：抽查范围为{line.scope}，对象池{line.pool}户，抽取{line.drawn}户，"
        f"抽查比例{line.ratio}，本月检查{line.inspected}户"
        for line in lines
    ]
    if len(lines) > 1:
        ratio = f"{drawn * 100 / pool:.1f}%" if pool else "—"
        scope_lines.append(f"合计：对象池{pool}户，抽取{drawn}户，抽查比例{ratio}，本月检查{inspected}户")
    generated["scope"] = _lines(scope_lines, "本月无随机抽查任务")
    generated["items"], major, minor = items_text(owner, period)
    published = results.published_in_period([owner.pk], period).get(owner.pk, 0)
    penalties = results.penalties_published_in_period([owner.pk], period).get(owner.pk, 0)
    # the bureau's own site when it filled one in, else this platform's public portal (where the results are)
    website = report.website or f"{str(settings.PUBLIC_BASE_URL).rstrip('/')}/gs/"
    generated["publication"] = f"公示网站：{website}；本月公示抽查结果{published}户" + (
        f"，公示行政处罚信息{penalties}件" if penalties else "")
    system = (unit_rows(owner, period, active_tasks([owner.pk], period)) if is_county(owner)
              else system_rows(owner, period))
    system_lines = [f"{row['organization']}：开展随机抽查任务{row['tasks']}项，检查{row['inspected']}户，"
                    f"公示抽查结果{row['published']}户" for row in system]
    if len(system) > 1:
        system_lines.append(
            f"合计：{sum(1 for r in system if r['tasks'] or r['inspected'])}个单位开展随机抽查，"
            f"检查{sum(r['inspected'] for r in system)}户，公示抽查结果{sum(r['published'] for r in system)}户")
    generated["system"] = _lines(system_lines, "本月无数据")
    measures = measure_text([owner.pk], period)
    generated["notes"] = _lines(
        other_task_lines(active_tasks([owner.pk], period), period) + ([measures] if measures else []),
        "本月无年度计划外的抽查检查")
    figures = {
        "tasks": [asdict(line) for line in lines], "pool": pool, "drawn": drawn, "inspected": inspected,
        "items_major": major, "items_minor": minor, "published": int(published), "penalties_published": int(penalties),
        "system": system,
    }
    return MonthlyContent(
        organization=owner.name, year=report.year, month=report.month, level=level,
        filled_on=format_cn_date(report.filled_on) if report.filled_on else "", website=report.website,
        contact_person=report.contact_person, contact_phone=report.contact_phone, mobile=report.mobile,
        generated=generated, texts={k: v for k, v in (report.texts or {}).items() if k in FIELD_KEYS},
        figures=figures,
    )


def filled_on_parts(content: MonthlyContent) -> str:
    return content.filled_on or "____年__月__日"


def month_range(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    period = Period.month(year, month)
    return period.start, period.end
