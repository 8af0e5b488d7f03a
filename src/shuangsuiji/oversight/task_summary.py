"""总结报告 of a completed 抽查任务 (大洼 细则 六(六): "抽查工作结束后，及时收集过程性资料，进行分析、归纳，形成总结
报告，做好资料归档工作"): scope, drawn, inspected, findings by result category, follow-up, publication.

``task_summary(task)`` gathers the figures (read only, live data); ``summary_pdf`` / ``summary_docx`` print them
(fpdf2 with the embedded CJK font of ``common.documents``; docxtpl template ``templates_docx/task_summary.docx``).
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from shuangsuiji.common.documents import OfficialPdf, render_docx
from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.disclosure.models import PublishedPenalty, PublishedResult, ResultRelease
from shuangsuiji.draws.models import DrawStatus, InspectorMatch, TargetDraw
from shuangsuiji.inspections.models import (
    CaseStatus,
    FollowUpCase,
    InspectionRecord,
    PublicationGroup,
    RecordStatus,
)
from shuangsuiji.inspections.services import publication_group
from shuangsuiji.planning.models import NonRandomBasis, Task, TaskKind, TaskState, WorkScheme

TEMPLATE = Path(__file__).resolve().parent / "reports" / "templates_docx" / "task_summary.docx"
SUMMARY_STATES = (TaskState.COMPLETED, TaskState.PUBLISHED)
METHOD_LABELS = {
    "on_site": "现场检查", "documents": "书面检查", "online": "网络检查", "entrusted": "委托专业机构", "testing": "检验检测",
}


HEADINGS = ("一、基本情况", "二、抽查范围", "三、随机抽取与人员匹配", "四、检查实施情况", "五、检查结果（按结果类别）",
            "六、后续处置", "七、结果公示", "附：一企一表清单")
NONRANDOM_DRAW_HEADING = "三、检查组（非随机检查：指派，未经随机抽取和匹配）"


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def _day(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return format_cn_date(value)


@dataclass
class TaskSummary:
    task: Task
    title: str
    generated_on: datetime.date
    basics: list[tuple[str, str]]
    scope: list[tuple[str, str]]
    draws: list[list[str]]
    inspection: list[tuple[str, str]]
    result_rows: list[list[str]]
    finding_rows: list[list[str]]
    followup: list[tuple[str, str]]
    publication: list[tuple[str, str]]
    records: list[list[str]]
    overview: str
    figures: dict[str, Any] = field(default_factory=dict)
    headings: tuple[str, ...] = HEADINGS


def task_summary(task: Task) -> TaskSummary:
    """The report's content from the live data of ``task`` (any state; the pages offer it once completed)."""
    scheme = WorkScheme.objects.filter(task=task).first()
    draws = list(TargetDraw.objects.filter(task=task).order_by("sequence"))
    current = next((d for d in reversed(draws) if d.status == DrawStatus.CONFIRMED), None) or next(
        (d for d in reversed(draws) if d.status == DrawStatus.DRAWN), None
    )
    matches = list(InspectorMatch.objects.filter(task=task).order_by("sequence"))
    records = list(
        InspectionRecord.objects.filter(task=task).exclude(status=RecordStatus.CANCELLED)
        .select_related("target").prefetch_related("result_codes", "items", "members").order_by("number")
    )
    approved = [r for r in records if r.status == RecordStatus.APPROVED]
    inspected = [r for r in records if r.inspected_on is not None]
    groups: Counter[str] = Counter()
    group_of: dict[int, str] = {}
    for record in approved:
        group = publication_group(record) or PublicationGroup.OTHER
        groups[group] += 1
        group_of[record.pk] = PublicationGroup(group).label
    codes: Counter[str] = Counter(code.name for r in approved for code in r.result_codes.all())
    failing: Counter[str] = Counter(
        f"{item.code} {item.name}" for r in approved for item in r.items.all() if item.finding == "fail"
    )
    methods: Counter[str] = Counter(METHOD_LABELS.get(m, m) for r in inspected for m in r.methods)
    inspectors = {m.inspector_id or m.name for r in inspected for m in r.members.all() if m.present}
    cases = list(FollowUpCase.objects.filter(record__task=task).order_by("opened_on", "pk"))
    penalties = [c for c in cases if c.penalty_decided_on]
    amount = sum((c.penalty_amount or Decimal(0) for c in penalties), Decimal(0))
    results = list(PublishedResult.objects.filter(task=task))
    published_keys = {r.source_key for r in results}
    releases = list(ResultRelease.objects.filter(task=task).order_by("published_at"))
    published_penalties = PublishedPenalty.objects.filter(result__task=task).count()
    public = [r for r in results if r.is_public]
    withheld = [r for r in results if not r.is_public]
    owner = task.owner
    participants = "、".join(p.name for p in task.participants.all()) or "无"
    items = list(task.items.select_related("specialty").order_by("code"))
    pool = current.pool_size if current else 0
    drawn = current.selections.count() if current else 0
    first_release = releases[0] if releases else None
    on_time = ""
    if first_release and first_release.due_on:
        on_time = "按期" if timezone.localtime(first_release.published_at).date() <= first_release.due_on else "逾期"

    basics = [
        ("任务编号", task.code), ("任务名称", task.title), ("组织单位", owner.name), ("参与部门", participants),
        ("年度", str(task.year)), ("检查期", f"{_day(task.window_start)}至{_day(task.window_end)}"),
        ("工作方案", f"{scheme.title}（{scheme.document_number or '无文号'}，{_day(scheme.published_at)}公布）"
         if scheme and scheme.published_at else "未公布"),
        ("任务状态", task.get_state_display()), ("完成时间", _day(task.completed_at)),
    ]
    # a non-random task (投诉举报、转办交办、专项检查: Task.kind) names its targets: no pool, no draw, no ratio
    basis = NonRandomBasis.objects.filter(task=task).first() if task.kind == TaskKind.NONRANDOM else None
    named = basis.targets.count() if basis is not None else 0
    scope = [
        ("抽查专业", "、".join(s.name for s in task.specialties.all()) or "—"),
        ("抽查区域", "、".join(r.name for r in task.regions.all()) or "本辖区"),
        ("抽查事项", f"{len(items)} 项：" + "；".join(f"{i.code} {i.name}" for i in items)),
        ("检查小项", f"{sum(len(i.sub_items) for i in items)} 项"),
        ("检查方式", "、".join(METHOD_LABELS.get(m, m) for m in task.methods) or "—"),
        *([("任务类型", "非随机检查（不计入双随机抽查覆盖率）"),
           ("来源", f"{basis.get_source_display()}（{basis.reference or '无编号'}，{_day(basis.received_on)}受理）"),
           ("检查对象", f"{named} 户（指定，未经随机抽取）")] if basis is not None else
          [("对象池户数", str(pool)), ("抽取户数", str(drawn)), ("抽查比例", _pct(drawn, pool))]),
        ("每组执法人员", f"{task.team_size} 人"),
    ]
    draw_rows = [
        [f"第{d.sequence}次", d.get_status_display(), str(d.pool_size), str(d.selections.count()),
         d.randomness_source or d.get_randomness_kind_display(), (d.record_digest or d.pool_digest)[:16] + "…"]
        for d in draws
    ]
    for m in matches:
        draw_rows.append([f"人员匹配第{m.sequence}次", m.get_status_display(), "—",
                          str(m.assignments.values("drawn_target").distinct().count()), "—", m.record_digest[:16] + "…"])
    inspection = [
        ("一企一表", f"{len(records)} 份"), ("已检查", f"{len(inspected)} 户"),
        ("审核通过", f"{len(approved)} 户（完结率 {_pct(len(approved), drawn or named or len(records))}）"),
        ("检查方式", "、".join(f"{k} {v} 户次" for k, v in methods.most_common()) or "—"),
        ("参加检查的执法人员", f"{len(inspectors)} 人"),
        ("逾期录入", f"{sum(1 for r in records if r.entered_late)} 份"),
    ]
    result_rows = [[label, str(groups.get(value, 0)), _pct(groups.get(value, 0), len(approved))]
                   for value, label in PublicationGroup.choices]
    result_rows += [[f"其中：{name}", str(count), _pct(count, len(approved))] for name, count in codes.most_common()]
    finding_rows = [[name, str(count)] for name, count in failing.most_common(20)]
    closed = sum(1 for c in cases if c.status == CaseStatus.CLOSED)
    followup = [
        ("登记问题", f"{len(cases)} 件（已办结 {closed} 件，处置中 {len(cases) - closed} 件）"),
        ("责令整改", f"{sum(1 for c in cases if c.rectify_ordered_on)} 件，复查合格 {sum(1 for c in cases if c.recheck_passed)} 件"),
        ("立案查处", f"{sum(1 for c in cases if c.case_filed_on)} 件"),
        ("行政处罚", f"{len(penalties)} 件，罚没款 {amount:,.2f} 元"),
        ("移交 / 移送司法机关", f"{sum(1 for c in cases if c.transferred_on)} / {sum(1 for c in cases if c.judicial_transferred_on)} 件"),
        ("信用惩戒", f"列入经营异常名录 {sum(1 for c in cases if c.abnormal_listed_on)} 户，"
                    f"严重违法失信名单 {sum(1 for c in cases if c.serious_illegal_listed_on)} 户"),
    ]
    publication = [
        ("公示抽查结果", f"{len(public)} 户（公示率 {_pct(len(results), len(approved))}）"),
        ("依法不予公开", f"{len(withheld)} 户" + ("：" + "；".join(r.withheld_reason[:60] for r in withheld) if withheld else "")),
        ("首次公示", f"{_day(first_release.published_at)}（期限 {_day(first_release.due_on)}，{on_time}）"
         if first_release else "尚未公示"),
        ("公示行政处罚", f"{published_penalties} 件"),
    ]
    record_rows = [
        [r.number, r.target.name, _day(r.inspected_on), r.get_status_display(), group_of.get(r.pk, "—"),
         "已公示" if f"inspections.record:{r.pk}" in published_keys else "未公示"]
        for r in records
    ]
    how = (
        f"根据{basis.get_source_display()}（{basis.reference or '无编号'}）对{named}户检查对象实施非随机检查，"
        f"指派执法人员实施检查（不计入双随机抽查覆盖率）。" if basis is not None else
        f"从{pool}户检查对象中随机抽取{drawn}户（抽查比例{_pct(drawn, pool)}），随机匹配执法人员实施检查。"
    )
    overview = (
        f"{owner.name}于{_day(task.window_start)}至{_day(task.window_end)}组织开展“{task.title}”，{how}"
        f"已检查{len(inspected)}户，审核通过{len(approved)}户；未发现问题{groups.get(PublicationGroup.NO_PROBLEM, 0)}户，"
        f"发现问题已责令整改{groups.get(PublicationGroup.RECTIFIED, 0)}户，行政处罚{groups.get(PublicationGroup.PENALTY, 0)}户，"
        f"无法联系{groups.get(PublicationGroup.UNREACHABLE, 0)}户。登记后续处置{len(cases)}件，已办结{closed}件。"
        f"已公示抽查结果{len(public)}户" + (f"，依法不予公开{len(withheld)}户" if withheld else "") + "。"
    )
    return TaskSummary(
        task=task, title=f"{task.title}总结报告", generated_on=timezone.localdate(), basics=basics, scope=scope,
        draws=draw_rows, inspection=inspection, result_rows=result_rows, finding_rows=finding_rows,
        followup=followup, publication=publication, records=record_rows, overview=overview,
        headings=HEADINGS if basis is None else (*HEADINGS[:2], NONRANDOM_DRAW_HEADING, *HEADINGS[3:]),
        figures={"kind": task.kind, "pool": pool, "drawn": drawn, "named": named, "inspected": len(inspected), "approved": len(approved),
                 "groups": {PublicationGroup(k).label: v for k, v in groups.items()}, "cases": len(cases),
                 "penalties": len(penalties), "published": len(public), "withheld": len(withheld)},
    )




def summary_pdf(summary: TaskSummary) -> bytes:
    task = summary.task
    pdf = OfficialPdf(title=summary.title, issuer=task.owner.name, serial=task.code,
                      footer_note=f"{task.code} 总结报告")
    pdf.add_paragraph(summary.overview)
    pdf.add_heading(summary.headings[0])
    pdf.add_key_values(summary.basics)
    pdf.add_heading(summary.headings[1])
    pdf.add_key_values(summary.scope)
    pdf.add_heading(summary.headings[2])
    pdf.add_table(["抽取/匹配", "状态", "对象池", "户数", "随机数", "记录摘要"], summary.draws or [["—"] * 6],
                  col_widths=[1.4, 1.6, 0.9, 0.7, 2.2, 1.8])
    pdf.add_heading(summary.headings[3])
    pdf.add_key_values(summary.inspection)
    pdf.add_heading(summary.headings[4])
    pdf.add_table(["结果类别", "户数", "占比"], summary.result_rows, col_widths=[4, 1, 1])
    if summary.finding_rows:
        pdf.add_table(["不合格的检查事项", "户数"], summary.finding_rows, col_widths=[5, 1])
    pdf.add_heading(summary.headings[5])
    pdf.add_key_values(summary.followup)
    pdf.add_heading(summary.headings[6])
    pdf.add_key_values(summary.publication)
    pdf.add_heading(summary.headings[7])
    pdf.add_table(["编号", "检查对象", "检查日期", "状态", "结果类别", "公示"], summary.records or [["—"] * 6],
                  col_widths=[1.6, 2.6, 1.4, 1.4, 1.4, 0.8])
    pdf.add_signature(issuer=task.owner.name, day=summary.generated_on)
    return pdf.to_bytes()


def summary_docx(summary: TaskSummary) -> bytes:
    context = {
        "title": summary.title, "organization": summary.task.owner.name, "overview": summary.overview,
        "date_text": format_cn_date(summary.generated_on), "h": summary.headings,
        "basics": [list(r) for r in summary.basics], "scope": [list(r) for r in summary.scope],
        "draws": summary.draws, "inspection": [list(r) for r in summary.inspection],
        "result_rows": summary.result_rows, "finding_rows": summary.finding_rows,
        "followup": [list(r) for r in summary.followup], "publication": [list(r) for r in summary.publication],
        "records": summary.records,
    }
    return render_docx(TEMPLATE, context)
