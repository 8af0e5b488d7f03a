"""Which time limit applies to which deadline kind, per region, and how its dates are computed.

Two families of deadlines (DESIGN §2, §6):

* **Fixed yearly dates** — 年度抽查计划 by 1月31日, 联合抽查计划 by 3月31日, 半年报告 by 7月2日, 全年报告 by
  11月15日. A date falling on a day off rolls to the next working day (《民法典》第二百零三条).
* **N working days after an event** — 抽取结果确认 2, 检查结果录入 10 (after the inspection), 抽查结果公示 20
  (after task completion), 行政处罚信息公示 7 (after the decision). Counting starts the day after the event
  (《民法典》第二百零一条; 《行政处罚法》第八十五条: working days). 检查结果审核 (5 after the submission) is an
  internal limit of the bureau, not a statutory one; 责令整改 has no default: the order sets its own number of
  working days (the caller passes ``workdays``).

Values come from ``DeadlineSettings``: the row of the organization's region or of the nearest region above it,
else the row without region, else the defaults of ``DeadlineRules``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Q

from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.core.workdays import DeadlineResult, WorkdayCalendar
from shuangsuiji.deadlines.models import DeadlineKind, DeadlineSettings

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import Organization, Region

FIXED_DATE_KINDS: dict[str, str] = {
    DeadlineKind.ANNUAL_PLAN_FILING: "annual_plan",
    DeadlineKind.JOINT_PLAN_FILING: "joint_plan",
    DeadlineKind.HALF_YEAR_REPORT: "half_year_report",
    DeadlineKind.ANNUAL_REPORT: "annual_report",
}
WORKDAY_KINDS: dict[str, str] = {
    DeadlineKind.DRAW_CONFIRMATION: "draw_confirmation",
    DeadlineKind.RESULT_ENTRY: "result_entry",
    DeadlineKind.INSPECTION_REVIEW: "inspection_review",
    DeadlineKind.RESULT_PUBLICATION: "result_publication",
    DeadlineKind.PENALTY_PUBLICATION: "penalty_publication",
}
# What the start date of a working-day kind is, for the rule shown to users.
START_EVENT: dict[str, str] = {
    DeadlineKind.DRAW_CONFIRMATION: "抽取",
    DeadlineKind.RESULT_ENTRY: "检查",
    DeadlineKind.INSPECTION_REVIEW: "提交检查结果",
    DeadlineKind.RESULT_PUBLICATION: "任务完成",
    DeadlineKind.PENALTY_PUBLICATION: "作出处罚决定",
    DeadlineKind.RECTIFICATION: "责令整改",
}


@dataclass(frozen=True)
class DeadlineRules:
    annual_plan_month: int = 1
    annual_plan_day: int = 31
    joint_plan_month: int = 3
    joint_plan_day: int = 31
    half_year_report_month: int = 7
    half_year_report_day: int = 2
    annual_report_month: int = 11
    annual_report_day: int = 15
    draw_confirmation_workdays: int = 2
    result_entry_workdays: int = 10
    inspection_review_workdays: int = 5
    result_publication_workdays: int = 20
    penalty_publication_workdays: int = 7
    reminder_workdays: int = 3
    accountability_after_workdays: int = 5

    @classmethod
    def from_settings(cls, row: DeadlineSettings) -> DeadlineRules:
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})

    def fixed_date(self, kind: str, year: int) -> date:
        prefix = FIXED_DATE_KINDS[kind]
        return date(year, getattr(self, f"{prefix}_month"), getattr(self, f"{prefix}_day"))

    def workdays_for(self, kind: str) -> int:
        return int(getattr(self, f"{WORKDAY_KINDS[kind]}_workdays"))


def rules_for_region(region: Region | None) -> DeadlineRules:
    """The settings of ``region`` or of its nearest ancestor that has some, else the defaults (one query)."""
    codes = [code for code in (region.path.strip("/").split("/") if region is not None else []) if code]
    rows = {
        (row.region.code if row.region is not None else None): row
        for row in DeadlineSettings.objects.filter(Q(region__code__in=codes) | Q(region__isnull=True)).select_related(
            "region"
        )
    }
    for code in reversed(codes):
        if code in rows:
            return DeadlineRules.from_settings(rows[code])
    if None in rows:
        return DeadlineRules.from_settings(rows[None])
    return DeadlineRules()


def rules_for_organization(organization: Organization) -> DeadlineRules:
    return rules_for_region(organization.region)


@dataclass(frozen=True)
class Schedule:
    """What ``deadline_open`` stores: the parameters, the computed dates and the rule in words."""

    start_date: date | None
    workdays: int | None
    nominal_due: date | None
    due_explicit: bool
    due: DeadlineResult
    remind_workdays: int
    remind_on: date
    rule: str


def compute_schedule(
    *,
    kind: str,
    rules: DeadlineRules,
    calendar: WorkdayCalendar,
    start_date: date | None = None,
    due_date: date | None = None,
    year: int | None = None,
    workdays: int | None = None,
    start_event: str | None = None,
) -> Schedule:
    """Dates of a new deadline. ``due_date`` wins when given; otherwise the kind's rule is applied.

    ``workdays`` overrides the region's number of working days (a limit the business sets itself: a
    责令整改 order, a bureau's own entry limit); ``start_event`` names the start day in the rule text.
    """
    remind = rules.reminder_workdays
    if due_date is not None:
        return _schedule(
            calendar, start_date=start_date, workdays=None, nominal_due=None, explicit=True,
            due=DeadlineResult(due_date, False, None), remind=remind,
            rule=f"业务指定截止日期{format_cn_date(due_date)}",
        )
    if kind in WORKDAY_KINDS or workdays is not None or kind in START_EVENT:
        if start_date is None:
            raise ApplicationError(f"“{DeadlineKind(kind).label}”期限需要起算日期")
        if workdays is None:
            if kind not in WORKDAY_KINDS:
                raise ApplicationError(f"“{DeadlineKind(kind).label}”期限需要指定工作日数或截止日期")
            workdays = rules.workdays_for(kind)
        if workdays < 1:
            raise ApplicationError("期限的工作日数须为正数")
        event = start_event or START_EVENT.get(kind, "起算")
        return recompute_schedule(
            calendar, start_date=start_date, workdays=workdays, nominal_due=None, remind=remind,
            rule=f"自{event}之日（{format_cn_date(start_date)}）次日起{workdays}个工作日内",
        )
    if kind in FIXED_DATE_KINDS:
        if year is None:
            if start_date is None:
                raise ApplicationError(f"“{DeadlineKind(kind).label}”期限需要年度")
            year = start_date.year
        nominal = rules.fixed_date(kind, year)
        return recompute_schedule(
            calendar, start_date=start_date, workdays=None, nominal_due=nominal, remind=remind,
            rule=f"{format_cn_date(nominal)}前（遇法定休假日顺延至下一个工作日）",
        )
    raise ApplicationError(f"未知的期限类型“{kind}”")


def recompute_schedule(
    calendar: WorkdayCalendar,
    *,
    start_date: date | None,
    workdays: int | None,
    nominal_due: date | None,
    remind: int,
    rule: str,
    explicit_due: date | None = None,
) -> Schedule:
    """Dates from stored parameters (used again after a calendar change)."""
    if explicit_due is not None:
        due = DeadlineResult(explicit_due, False, None)
        return _schedule(
            calendar, start_date=start_date, workdays=None, nominal_due=None, explicit=True, due=due,
            remind=remind, rule=rule,
        )
    if workdays is not None and start_date is not None:
        due = calendar.add_workdays(start_date, workdays)
    elif nominal_due is not None:
        due = calendar.roll_to_workday(nominal_due)
    else:  # pragma: no cover - guarded by compute_schedule
        raise ApplicationError("期限缺少起算日期或规定日期")
    return _schedule(
        calendar, start_date=start_date, workdays=workdays, nominal_due=nominal_due, explicit=False, due=due,
        remind=remind, rule=rule,
    )


def _schedule(
    calendar: WorkdayCalendar,
    *,
    start_date: date | None,
    workdays: int | None,
    nominal_due: date | None,
    explicit: bool,
    due: DeadlineResult,
    remind: int,
    rule: str,
) -> Schedule:
    remind_on = calendar.add_workdays(due.date, -remind).date if remind > 0 else due.date
    return Schedule(
        start_date=start_date, workdays=workdays, nominal_due=nominal_due, due_explicit=explicit, due=due,
        remind_workdays=remind, remind_on=remind_on, rule=rule,
    )
