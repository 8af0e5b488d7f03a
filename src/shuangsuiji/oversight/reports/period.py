"""Content of the 半年 / 全年情况报告 (seed 003, 平顶山 2021: “分别于7月2日前和11月15日前提交半年情况报告和全年
情况报告（情况报告中应包含上年度随机抽查被行政处罚的单位整改落实情况）”).

The report covers the bureau and the same-line bureaus below it (a city sums its counties — “对上报的数据信息进行
收集、汇总统计”), from 1月1日 to the 统计截止日期 (半年: 6月30日; 全年: 10月31日 by default, editable).
Sections::

    一、基本情况            generated summary paragraph + key indicators (with goals) + the user's supplement
    二、各专业抽查情况        per-专业 table + bar chart
    三、抽查结果及后续处置     result groups (seed 003's four) + pie chart; follow-up cases; 提醒、培训、约谈、记分
    四、各地工作开展情况      per subordinate region (upper levels only) + bar chart of 完结率/公示率
    五、上年度被行政处罚单位整改落实情况   table from the 后续处置台账 + the user's text
    六、主要做法和成效 / 七、存在的问题 / 八、下一步工作打算   the user's text
    附件：工作分工暨业务指导专家名单、领导小组                 from the register
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.oversight import dashboard_results as results
from shuangsuiji.oversight.dashboard import Dashboard, Period, dashboard_for_scope, organization_scope
from shuangsuiji.oversight.measure_stats import measure_cell, measure_figures, measure_phrase
from shuangsuiji.oversight.models_reports import DutyAssignment, LeadingGroupMember, PeriodKind, PeriodReport
from shuangsuiji.oversight.statistics import specialty_table

# (key, heading, hint) of the sections the user writes
TEXT_SECTIONS: list[tuple[str, str, str]] = [
    ("summary_note", "基本情况（补充说明）", "系统已根据数据生成基本情况和指标表，可在此补充说明，如领导重视、组织部署等"),
    ("rectification", "上年度被行政处罚单位整改落实情况（说明）", "下表列出上年度被处罚单位及整改情况，可在此说明跟踪督促情况"),
    ("practices", "主要做法和成效", "如：联合抽查“进一次门、查多项事”、信用风险分类差异化抽查、结果运用等"),
    ("problems", "存在的问题", "如：个别单位录入不及时、检测能力不足等"),
    ("plans", "下一步工作打算", "下一阶段的工作安排"),
]
TEXT_KEYS = [key for key, *_ in TEXT_SECTIONS]


def default_period_end(kind: str, year: int) -> datetime.date:
    return datetime.date(year, 6, 30) if kind == PeriodKind.HALF_YEAR else datetime.date(year, 10, 31)


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def _money(value: Any) -> str:
    return f"{Decimal(value or 0):,.2f}"


@dataclass
class PeriodContent:
    """Everything the report shows; a submitted report stores this (``as_json``) and is rendered from it."""

    organization: str
    year: int
    kind: str
    period_end: str
    scope_text: str
    summary: str
    indicators: list[list[str]]
    specialty_rows: list[list[str]]
    result_rows: list[list[str]]
    case_rows: list[list[str]]
    region_rows: list[list[str]]
    penalised: list[list[str]]
    duties: list[list[str]]
    members: list[list[str]]
    texts: dict[str, str]
    charts: dict[str, Any] = field(default_factory=dict)
    contact_person: str = ""
    contact_phone: str = ""
    mobile: str = ""
    generated_on: str = ""  # ISO date the content was built (the report's date)

    @property
    def generated_date(self) -> datetime.date:
        return datetime.date.fromisoformat(self.generated_on) if self.generated_on else timezone.localdate()

    @property
    def kind_label(self) -> str:
        return "半年" if self.kind == PeriodKind.HALF_YEAR else "全年"

    @property
    def title(self) -> str:
        return f"{self.organization}{self.year}年“双随机、一公开”抽查工作{self.kind_label}情况报告"

    @property
    def period_text(self) -> str:
        return f"{self.year}年1月1日至{self.period_end}"

    def text(self, key: str) -> str:
        return self.texts.get(key, "")

    def paragraphs(self, key: str) -> list[str]:
        return [line.strip() for line in self.text(key).splitlines() if line.strip()]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PeriodContent:
        return cls(**data)


SPECIALTY_HEADERS = ["专业", "在营对象（户）", "抽中（户）", "抽查比例", "已检查（户）", "覆盖率", "已完结（户）",
                     "完结率", "发现问题（户）", "行政处罚（件）"]
RESULT_HEADERS = ["抽查结果类别", "户数", "占比"]
CASE_HEADERS = ["项目", "件数"]
REGION_HEADERS = ["区划", "在营对象", "已检查", "覆盖率", "抽中", "完结率", "公示率", "发现问题", "行政处罚"]
PENALISED_HEADERS = ["被处罚单位", "处罚决定书文号", "处罚日期", "处罚内容", "整改落实情况"]
DUTY_HEADERS = ["工作内容", "责任科室", "负责人", "联系方式"]
MEMBER_HEADERS = ["小组职务", "姓名", "单位及职务"]
INDICATOR_HEADERS = ["指标", "数值", "目标/说明"]


def _summary(board: Dashboard, scope_text: str, period_text: str, measures: str = "") -> str:
    f, r = board.figures, board.rates
    return (
        f"{period_text}，{scope_text}共组织随机抽查任务{f['tasks']}项（其中部门联合抽查{f['tasks_joint']}项），"
        f"完成随机抽取{f['draws_confirmed']}次（其中重新抽取{f['redraws']}次），抽取检查对象{f['drawn']}户；"
        f"统计期内检查{f['inspected_targets']}户，占在营检查对象{f['targets_operating']}户的{_pct(r['coverage'])}。"
        f"已完结（录入并审核）{f['approved']}户，完结率{_pct(r['completion'])}；公示抽查结果{f['published']}户，"
        f"公示率{_pct(r['publication'])}。发现问题{f['problem_records']}户，登记后续处置{f['cases_opened']}件，"
        f"办结{f['cases_closed']}件；作出行政处罚{f['penalties']}件，罚没款{_money(f['penalty_amount'])}元。"
        + (f"对检查对象{measures}。" if measures else "")
    )


def build_period(report: PeriodReport, *, today: datetime.date | None = None) -> PeriodContent:
    """The report filled from the data (live) with the user's texts; a submitted report returns its snapshot."""
    if report.snapshot:
        return PeriodContent.from_json(report.snapshot)
    owner = report.owner
    scope = organization_scope(owner)
    end = report.period_end
    period = Period.until(report.year, end)
    board = dashboard_for_scope(scope, period, today=today)
    f, r = board.figures, board.rates
    subordinate = [g for g in scope.groups if not g.is_own_level]
    scope_text = f"{owner.name}（含所辖{len(subordinate)}个地区）" if subordinate else owner.name
    period_text = f"{report.year}年1月1日至{end.month}月{end.day}日"
    indicators = [
        ["在营检查对象（户）", str(f["targets_operating"]), "检查对象名录库，截至统计时"],
        ["抽查任务（项）", str(f["tasks"]), f"其中部门联合抽查{f['tasks_joint']}项"],
        ["抽取检查对象（户）", str(f["drawn"]), f"抽查比例（抽中/对象池）{_pct(r['draw_ratio'])}"],
        ["年度覆盖率", _pct(r["coverage"]), f"年度计划目标≥{board.goal_percent}%"],
        ["近3年覆盖率", _pct(r["cycle_3y"]), "3—5年全面覆盖一次"],
        ["完结率", _pct(r["completion"]), "目标100%"],
        ["公示率", _pct(r["publication"]), "目标100%（20个工作日内公示）"],
        ["发现问题（户）", str(f["problem_records"]), f"后续处置未办结{f['cases_open']}件"],
        ["行政处罚（件）", str(f["penalties"]), f"罚没款{_money(f['penalty_amount'])}元"],
        ["逾期未完成事项（件）", str(f["deadlines_overdue"]),
         f"提醒{f['reminders']}、督办{f['supervisions']}、问责{f['accountabilities']}"],
    ]
    measures = measure_figures(scope.owner_ids, period)
    specialties = specialty_table(scope.owner_ids, period)
    specialty_rows = []
    for row in specialties.rows:
        v = row.values
        if not any(v.get(k) for k in ("targets_operating", "drawn", "inspected_targets", "penalties")):
            continue
        specialty_rows.append([
            row.label, str(v.get("targets_operating") or 0), str(v.get("drawn") or 0), _pct(v.get("draw_ratio")),
            str(v.get("inspected_targets") or 0), _pct(v.get("coverage")), str(v.get("approved") or 0),
            _pct(v.get("completion")), str(v.get("problem_records") or 0), str(v.get("penalties") or 0),
        ])
    groups = [(key, label, f[f"group_{key}"]) for key, label in results.GROUP_LABELS.items()]
    inspected = sum(n for _k, _l, n in groups) or 0
    result_rows = [[label, str(n), f"{n * 100 / inspected:.1f}%" if inspected else "—"]
                   for _key, label, n in groups if n or _key != results.NO_RESULT]
    case_rows = [
        ["统计期内登记后续处置", str(f["cases_opened"])],
        ["统计期内办结", str(f["cases_closed"])],
        ["截至统计日未办结", str(f["cases_open"])],
        *[[f"　其中已登记{label}", str(f[f"case_age_{key}"])] for key, label, _lo, _hi in results.AGE_BUCKETS],
        ["行政处罚（件）", str(f["penalties"])],
        ["罚没款（元）", _money(f["penalty_amount"])],
        # 提醒、培训、约谈、记分 of inspected targets (大洼 六(六); issue 20 item 5), every kind even when none
        *[[f"对检查对象{m.label}", measure_cell(m)] for m in measures],
    ]
    region_rows = [
        [row.group.name, str(row.figures["targets_operating"]), str(row.figures["inspected_targets"]),
         _pct(row.rates["coverage"]), str(row.figures["drawn"]), _pct(row.rates["completion"]),
         _pct(row.rates["publication"]), str(row.figures["problem_records"]), str(row.figures["penalties"])]
        for row in board.rows
    ]
    penalised = [
        [p["unit"], p["decision_number"] or "—", format_cn_date(p["decided_on"]), p["content"] or "—",
         p["status_label"] + (f"（复查日期{format_cn_date(p['recheck_on'])}）" if p["recheck_on"] else "")]
        for p in results.penalised_units(scope.owner_ids, report.year - 1, today=end)
    ]
    duties = [
        [d.work_content, d.section, d.person, "；".join(x for x in (d.phone and f"电话：{d.phone}",
                                                                    d.email and f"邮箱：{d.email}") if x) or "—"]
        for d in DutyAssignment.objects.filter(owner=owner, year=report.year)
    ]
    members = [[m.get_group_role_display(), m.name, m.position]
               for m in LeadingGroupMember.objects.filter(owner=owner, is_active=True)]
    charts = {
        "specialty": {
            "categories": [row[0] for row in specialty_rows],
            "series": [["抽中", [int(row[2]) for row in specialty_rows]],
                       ["已检查", [int(row[4]) for row in specialty_rows]]],
        },
        "results": [[label, n] for _key, label, n in groups if n],
        "regions": {
            "categories": [row.group.name for row in board.rows],
            "series": [["完结率", [float(row.rates["completion"] or 0) for row in board.rows]],
                       ["公示率", [float(row.rates["publication"] or 0) for row in board.rows]]],
        },
    }
    return PeriodContent(
        organization=owner.name, year=report.year, kind=report.kind,
        period_end=f"{end.month}月{end.day}日", scope_text=scope_text,
        summary=_summary(board, scope_text, period_text, measure_phrase(measures)), indicators=indicators, specialty_rows=specialty_rows,
        result_rows=result_rows, case_rows=case_rows, region_rows=region_rows, penalised=penalised, duties=duties,
        members=members, texts={k: v for k, v in (report.texts or {}).items() if k in TEXT_KEYS}, charts=charts,
        contact_person=report.contact_person, contact_phone=report.contact_phone, mobile=report.mobile,
        generated_on=(today or timezone.localdate()).isoformat(),
    )
