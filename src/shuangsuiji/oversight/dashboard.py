"""Figures of the oversight dashboards and reports: aggregate queries, never loops over rows.

Vocabulary
----------
* **Scope** — the bureaus whose data is summed: the viewed bureau and the same-line bureaus of the regions
  below it that the actor may read (``accounts.scope``). An upper level (city/province bureau, supervisor)
  also gets one row per subordinate region.
* **Period** — a year and a date range inside it (the dashboard: 1月1日 to today; the 月报表: one month; the
  半年报告: 1月1日–6月30日). Figures about *tasks* are those of the tasks of the year (``Task.year``); figures
  about *inspections* are those of records inspected within the range (``inspected_on``). A task of 2025
  whose inspections run into January 2026 counts among 2025's tasks (完结率, 公示率) while its January
  inspections count towards 2026's coverage.
* **Current draw** — only confirmed draws count (``DrawStatus.CONFIRMED``): a re-drawn task's superseded draws
  and their targets never count; timestamps bound each figure to the end of the period.

Every figure is computed per bureau (``values("owner_id").annotate(...)``) and summed into the scope, the
subordinate regions and the organizations; the rates are computed from the sums:

* 年度覆盖率 = targets inspected in the period / 在营 targets (goal 3% — seed 001, 5% — seed 004);
* 3年/5年覆盖 = 在营 targets whose last inspection lies in the last 3/5 years / 在营 targets (seed 002: every
  target once in 3–5 years, i.e. at least 1/3 resp. 1/5 of the library a year);
* 完结率 = records entered and reviewed (审核通过) / targets drawn by the current draws (goal 100%);
* 公示率 = results published / results due (records reviewed) (goal 100%).

The same querysets feed the drill-down lists (``oversight.drilldown``), so a number and its list agree.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from shuangsuiji.accounts.models import Organization, Region
from shuangsuiji.accounts.scope import BUREAU_KINDS, readable_owner_ids, user_bureau
from shuangsuiji.common.exceptions import NotFoundError
from shuangsuiji.deadlines.models import (
    Accountability,
    AccountabilityStatus,
    Deadline,
    Notification,
    NotificationKind,
    Supervision,
    SupervisionStatus,
)
from shuangsuiji.directory.models import CheckItem, Inspector, InspectorKind, InspectorStatus, ItemStatus
from shuangsuiji.draws.models import DrawnTarget, DrawStatus, InspectorMatch, MatchStatus, TargetDraw
from shuangsuiji.oversight.models_reports import TargetStat
from shuangsuiji.oversight.summary import ensure_fresh
from shuangsuiji.planning.models import FILED_STATUSES, AnnualPlan, Task, TaskKind, TaskState

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User

Figures = Counter  # str → int (or Decimal for amounts)

COVERAGE_GOALS = (Decimal("3"), Decimal("5"))  # % of the library a year: seed 001 (涞源) and seed 004 (莲池)
CYCLE_YEARS = (3, 5)  # seed 002 (大洼): every target once in 3–5 years
OPERATING = "operating"


# ---------------------------------------------------------------------------------------- period


@dataclass(frozen=True)
class Period:
    """A date range of a year (inspections, cases, penalties, meetings …) and the day statuses are read on
    (``as_of``: a record counts as reviewed if it was reviewed before the end of that day)."""

    year: int
    start: datetime.date
    end: datetime.date  # inclusive
    as_of: datetime.date

    @classmethod
    def year_to_date(cls, year: int, today: datetime.date | None = None) -> Period:
        """The dashboard: the whole year (up to today for the current year), statuses as of today."""
        today = today or timezone.localdate()
        end = min(datetime.date(year, 12, 31), today) if year == today.year else datetime.date(year, 12, 31)
        return cls(year, datetime.date(year, 1, 1), end, today)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = datetime.date(year, month, 1)
        following = datetime.date(year + (month == 12), month % 12 + 1, 1)
        end = following - datetime.timedelta(days=1)
        return cls(year, start, end, end)

    @classmethod
    def until(cls, year: int, end: datetime.date) -> Period:
        """A report: 1月1日 to ``end`` (e.g. 6月30日), statuses as of ``end``."""
        return cls(year, datetime.date(year, 1, 1), end, end)

    @staticmethod
    def _midnight(day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    @property
    def start_dt(self) -> datetime.datetime:
        return self._midnight(self.start)

    @property
    def end_dt(self) -> datetime.datetime:
        """Exclusive bound of the range: the first moment after ``end``."""
        return self._midnight(self.end + datetime.timedelta(days=1))

    @property
    def as_of_dt(self) -> datetime.datetime:
        """Exclusive bound of the statuses: the first moment after ``as_of``."""
        return self._midnight(self.as_of + datetime.timedelta(days=1))

    @property
    def label(self) -> str:
        if self.start.day == 1 and self.end.month == self.start.month and (self.end + datetime.timedelta(days=1)).day == 1:
            return f"{self.year}年{self.start.month}月"
        return f"{self.year}年{self.start.month}月{self.start.day}日至{self.end.month}月{self.end.day}日"


# ---------------------------------------------------------------------------------------- scope


@dataclass
class RegionGroup:
    """A subordinate region (or the viewed bureau's own level, ``is_own_level``) and its bureaus."""

    key: str
    name: str
    region: Region | None
    owner_ids: list[int] = field(default_factory=list)
    is_own_level: bool = False


@dataclass
class DashboardScope:
    organization: Organization
    owners: dict[int, Organization]
    groups: list[RegionGroup]
    actor_bureau_id: int | None

    @property
    def owner_ids(self) -> list[int]:
        return sorted(self.owners)

    @property
    def is_upper_level(self) -> bool:
        return len(self.owners) > 1

    @property
    def is_own(self) -> bool:
        return self.organization.pk == self.actor_bureau_id


def _readable_bureaus(actor: User) -> QuerySet[Organization]:
    ids = readable_owner_ids(actor)
    qs = Organization.objects.filter(kind__in=BUREAU_KINDS, is_active=True).select_related("region")
    return qs if ids is None else qs.filter(pk__in=ids)


def dashboard_scope(*, actor: User, org_id: int | None = None) -> DashboardScope:
    """The bureaus summed when ``actor`` views ``org_id`` (default: their own bureau); 404 outside the scope."""
    bureaus = {o.pk: o for o in _readable_bureaus(actor)}
    own = user_bureau(actor)
    if org_id is None:
        if own is not None and own.pk in bureaus:
            org_id = own.pk
        elif bureaus:
            org_id = min(bureaus.values(), key=lambda o: (len(o.region.path), o.region.code, o.code)).pk
    if org_id is None or org_id not in bureaus:
        raise NotFoundError("单位不存在或不在您的数据范围内")
    return scope_of(bureaus[org_id], bureaus.values(), actor_bureau_id=own.pk if own else None)


def organization_scope(organization: Organization) -> DashboardScope:
    """The scope a bureau reports on (itself and the same-line bureaus below it), without an actor: used by the
    reports, which the bureau's own staff write."""
    bureaus = Organization.objects.filter(
        kind__in=BUREAU_KINDS, is_active=True, system=organization.system,
        region__path__startswith=organization.region.path,
    ).select_related("region")
    return scope_of(organization, [*bureaus, organization], actor_bureau_id=organization.pk)


def scope_of(viewed: Organization, bureaus: Iterable[Organization], *, actor_bureau_id: int | None) -> DashboardScope:
    prefix = viewed.region.path
    owners = {
        o.pk: o for o in bureaus if o.system == viewed.system and o.region.path.startswith(prefix)
        and (o.region_id != viewed.region_id or o.pk == viewed.pk)
    }
    groups: dict[str, RegionGroup] = {}
    for org in sorted(owners.values(), key=lambda o: (o.region.path, o.code)):
        if org.region_id == viewed.region_id:
            key = f"own:{org.pk}"
            group = groups.setdefault(key, RegionGroup(key, f"{org.name}（本级）", org.region, is_own_level=True))
        else:
            child_code = org.region.path[len(prefix):].strip("/").split("/")[0]
            key = f"region:{child_code}"
            group = groups.setdefault(key, RegionGroup(key, child_code, None))
        group.owner_ids.append(org.pk)
    child_regions = Region.objects.in_bulk(
        [g.key.split(":", 1)[1] for g in groups.values() if not g.is_own_level], field_name="code"
    )
    for group in groups.values():
        if not group.is_own_level:
            region = child_regions.get(group.key.split(":", 1)[1])
            group.region = region
            group.name = region.name if region else group.name
    ordered = sorted(groups.values(), key=lambda g: (not g.is_own_level, g.region.code if g.region else ""))
    return DashboardScope(viewed, owners, ordered, actor_bureau_id)


def scope_choices(*, actor: User) -> list[Organization]:
    """The bureaus the actor may open a dashboard for (own first, then by region)."""
    own = user_bureau(actor)
    orgs = list(_readable_bureaus(actor))
    return sorted(orgs, key=lambda o: (o.pk != (own.pk if own else None), o.region.path, o.code))


# ---------------------------------------------------------------------------------------- helpers


def _merge(target: dict[int, Figures], rows: Iterable[dict[str, Any]], owner_key: str, keys: Iterable[str]) -> None:
    keys = list(keys)
    for row in rows:
        figures = target.setdefault(row[owner_key], Figures())
        for key in keys:
            value = row.get(key)
            if value:
                figures[key] += value


def _by_owner(qs: QuerySet[Any], owner_key: str, aggregates: dict[str, Any]) -> list[dict[str, Any]]:
    return list(qs.order_by().values(owner_key).annotate(**aggregates))


# ---------------------------------------------------------------------------------------- 一单两库


def library_figures(owner_ids: list[int], period: Period, into: dict[int, Figures]) -> datetime.datetime | None:
    """Targets (from the maintained summary), published items and on-duty inspectors per bureau."""
    counted_at = ensure_fresh(owner_ids)
    stats = TargetStat.objects.filter(owner_id__in=owner_ids, specialty__isnull=True)
    operating = Q(status=OPERATING)
    aggregates: dict[str, Any] = {
        "targets_total": Sum("count"),
        "targets_operating": Sum("count", filter=operating),
    }
    for years in CYCLE_YEARS:
        aggregates[f"covered_{years}y"] = Sum(
            "count", filter=operating & Q(last_year__gte=period.year - years + 1, last_year__lte=period.year)
        )
    for risk in "ABCD":
        aggregates[f"risk_{risk}"] = Sum("count", filter=operating & Q(risk_class=risk))
    _merge(into, _by_owner(stats, "owner_id", aggregates), "owner_id", aggregates)
    items = CheckItem.objects.filter(owner_id__in=owner_ids, is_current=True, status=ItemStatus.PUBLISHED)
    _merge(into, _by_owner(items, "owner_id", {"items": Count("pk")}), "owner_id", ["items"])
    inspectors = Inspector.objects.filter(owner_id__in=owner_ids, is_retired=False, status=InspectorStatus.ON_DUTY)
    aggregates = {
        "inspectors": Count("pk"),
        "officers": Count("pk", filter=Q(kind=InspectorKind.OFFICER, licence_valid_to__gte=period.end)),
        "experts": Count("pk", filter=~Q(kind=InspectorKind.OFFICER)),
    }
    _merge(into, _by_owner(inspectors, "owner_id", aggregates), "owner_id", aggregates)
    return counted_at


# ---------------------------------------------------------------------------------------- tasks and draws


def tasks_queryset(owner_ids: list[int], period: Period) -> QuerySet[Task]:
    """双随机 tasks of the year (非随机检查 are counted apart: ``oversight.nonrandom_stats``)."""
    return Task.objects.filter(owner_id__in=owner_ids, year=period.year).exclude(kind=TaskKind.NONRANDOM)


def current_draws_queryset(owner_ids: list[int], period: Period) -> QuerySet[TargetDraw]:
    """Confirmed draws of the period's tasks, confirmed by the end of the period (re-drawn ones excluded)."""
    return TargetDraw.objects.filter(
        owner_id__in=owner_ids, task__year=period.year, status=DrawStatus.CONFIRMED, confirmed_at__lt=period.as_of_dt
    )


def drawn_queryset(owner_ids: list[int], period: Period) -> QuerySet[DrawnTarget]:
    return DrawnTarget.objects.filter(
        draw__owner_id__in=owner_ids, draw__task__year=period.year, draw__status=DrawStatus.CONFIRMED,
        draw__confirmed_at__lt=period.as_of_dt,
    )


def task_figures(owner_ids: list[int], period: Period, into: dict[int, Figures]) -> None:
    tasks = tasks_queryset(owner_ids, period)
    aggregates: dict[str, Any] = {"tasks": Count("pk")}
    aggregates.update({f"task_{state}": Count("pk", filter=Q(state=state)) for state in TaskState.values})
    aggregates["tasks_joint"] = Count("pk", filter=Q(joint_plan__isnull=False))
    aggregates["tasks_national"] = Count("pk", filter=Q(national_task__isnull=False))
    _merge(into, _by_owner(tasks, "owner_id", aggregates), "owner_id", aggregates)

    draws = TargetDraw.objects.filter(owner_id__in=owner_ids, task__year=period.year)
    confirmed = Q(status=DrawStatus.CONFIRMED, confirmed_at__lt=period.as_of_dt)
    aggregates = {
        "draws_confirmed": Count("pk", filter=confirmed),
        "draws_pending": Count("pk", filter=Q(status__in=[DrawStatus.POOL_FROZEN, DrawStatus.DRAWN])),
        "draws_superseded": Count("pk", filter=Q(status=DrawStatus.SUPERSEDED)),
        "redraws": Count("pk", filter=confirmed & Q(previous__isnull=False)),
        "tasks_drawn": Count("task_id", filter=confirmed, distinct=True),
        "pool": Sum("pool_size", filter=confirmed),
    }
    _merge(into, _by_owner(draws, "owner_id", aggregates), "owner_id", aggregates)
    drawn = drawn_queryset(owner_ids, period)
    _merge(into, _by_owner(drawn, "draw__owner_id", {"drawn": Count("pk")}), "draw__owner_id", ["drawn"])
    matches = InspectorMatch.objects.filter(
        owner_id__in=owner_ids, task__year=period.year, status__in=[MatchStatus.MATCHED, MatchStatus.CONFIRMED],
        matched_at__lt=period.as_of_dt,
    )
    _merge(into, _by_owner(matches, "owner_id", {"matches": Count("pk")}), "owner_id", ["matches"])


# ---------------------------------------------------------------------------------------- reminder chain


def _open_on(day: datetime.date) -> Q:
    """Not completed by the end of ``day``."""
    return Q(completed_on__isnull=True) | Q(completed_on__gt=day)


def overdue_deadlines_queryset(owner_ids: list[int], period: Period) -> QuerySet[Deadline]:
    """Deadlines overdue on the period's ``as_of`` day (past due and not completed by then)."""
    return Deadline.objects.filter(_open_on(period.as_of), owner_id__in=owner_ids, due_date__lt=period.as_of)


def near_deadlines_queryset(owner_ids: list[int], period: Period) -> QuerySet[Deadline]:
    """Deadlines in their reminder window on ``as_of`` (提醒 stage: reminded, not yet due)."""
    return Deadline.objects.filter(
        _open_on(period.as_of), owner_id__in=owner_ids, remind_on__lte=period.as_of, due_date__gte=period.as_of
    )


def reminded_deadlines_queryset(owner_ids: list[int], period: Period) -> QuerySet[Deadline]:
    """Deadlines that got a 懒政提醒 within the period (one per deadline, however many recipients)."""
    reminded = Notification.objects.filter(
        kind=NotificationKind.REMINDER, deadline__owner_id__in=owner_ids,
        created_at__gte=period.start_dt, created_at__lt=period.end_dt,
    ).values("deadline_id")
    return Deadline.objects.filter(pk__in=reminded)


def supervisions_queryset(owner_ids: list[int], period: Period) -> QuerySet[Supervision]:
    return Supervision.objects.filter(
        owner_id__in=owner_ids, created_at__gte=period.start_dt, created_at__lt=period.end_dt
    )


def accountabilities_queryset(owner_ids: list[int], period: Period) -> QuerySet[Accountability]:
    return Accountability.objects.filter(
        owner_id__in=owner_ids, created_at__gte=period.start_dt, created_at__lt=period.end_dt
    )


def chain_figures(owner_ids: list[int], period: Period, into: dict[int, Figures]) -> None:
    open_ = _open_on(period.as_of)
    deadlines = Deadline.objects.filter(owner_id__in=owner_ids)
    aggregates: dict[str, Any] = {
        "deadlines_overdue": Count("pk", filter=open_ & Q(due_date__lt=period.as_of)),
        "deadlines_near": Count("pk", filter=open_ & Q(remind_on__lte=period.as_of, due_date__gte=period.as_of)),
        "deadlines_late": Count(
            "pk", filter=Q(completed_late=True, completed_on__gte=period.start, completed_on__lte=period.end)
        ),
    }
    _merge(into, _by_owner(deadlines, "owner_id", aggregates), "owner_id", aggregates)
    reminded = Notification.objects.filter(
        kind=NotificationKind.REMINDER, deadline__owner_id__in=owner_ids,
        created_at__gte=period.start_dt, created_at__lt=period.end_dt,
    )
    _merge(
        into, _by_owner(reminded, "deadline__owner_id", {"reminders": Count("deadline_id", distinct=True)}),
        "deadline__owner_id", ["reminders"],
    )
    aggregates = {
        "supervisions": Count("pk"),
        "supervisions_open": Count("pk", filter=~Q(status=SupervisionStatus.CLOSED)),
    }
    _merge(into, _by_owner(supervisions_queryset(owner_ids, period), "owner_id", aggregates), "owner_id", aggregates)
    aggregates = {
        "accountabilities": Count("pk"),
        "accountabilities_open": Count("pk", filter=Q(status=AccountabilityStatus.OPEN)),
    }
    _merge(
        into, _by_owner(accountabilities_queryset(owner_ids, period), "owner_id", aggregates), "owner_id", aggregates
    )


# ---------------------------------------------------------------------------------------- assembly


def rate(numerator: Any, denominator: Any) -> Decimal | None:
    """Percentage with one decimal, None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator or 0) * 100 / Decimal(denominator)).quantize(Decimal("0.1"))


def rates(figures: Figures) -> dict[str, Decimal | None]:
    return {
        "coverage": rate(figures["inspected_targets"], figures["targets_operating"]),
        "cycle_3y": rate(figures["covered_3y"], figures["targets_operating"]),
        "cycle_5y": rate(figures["covered_5y"], figures["targets_operating"]),
        "completion": rate(figures["approved"], figures["drawn"]),
        "publication": rate(figures["published"], figures["approved"]),
        "draw_ratio": rate(figures["drawn"], figures["pool"]),
    }


def figures_by_owner(owner_ids: list[int], period: Period) -> tuple[dict[int, Figures], datetime.datetime | None, Any]:
    """All figures per bureau: the library live from ``TargetStat``, the work figures from the bureaus' fresh
    snapshots (``oversight.snapshots``) for the dashboard's own period, else computed live (reports)."""
    from shuangsuiji.oversight.snapshots import compute_work, is_standard, owner_work

    by_owner: dict[int, Figures] = {pk: Figures() for pk in owner_ids}
    counted_at = library_figures(owner_ids, period, by_owner)
    computed_at: datetime.datetime | None = None
    if is_standard(period, timezone.localdate()):
        work, computed_at = owner_work(owner_ids, period)
    else:
        work = compute_work(owner_ids, period)
    for pk in owner_ids:
        by_owner[pk].update(work[pk].figures)
    times = [t for t in (counted_at, computed_at) if t is not None]
    return by_owner, (min(times) if times else None), work


def all_bureau_ids() -> list[int]:
    return list(Organization.objects.filter(kind__in=BUREAU_KINDS, is_active=True).values_list("pk", flat=True))


def total(figures: Iterable[Figures]) -> Figures:
    result: Figures = Figures()
    for item in figures:
        result.update(item)
    return result


@dataclass
class GroupRow:
    group: RegionGroup
    figures: Figures
    rates: dict[str, Decimal | None]
    org_id: int | None  # the bureau to drill into (the county's bureau when the region has one)


@dataclass
class Dashboard:
    scope: DashboardScope
    period: Period
    today: datetime.date
    figures: Figures
    rates: dict[str, Decimal | None]
    by_owner: dict[int, Figures]
    rows: list[GroupRow]
    counted_at: datetime.datetime | None
    goal_percent: Decimal
    plan_goals: dict[int, Decimal]
    work: dict[int, Any] = field(default_factory=dict)  # owner → snapshots.OwnerWork

    def specialty_work(self) -> dict[tuple[int, int], Figures]:
        return {(owner, spec): figures for owner, item in self.work.items() for spec, figures in item.specialty.items()}

    def months(self) -> dict[int, Figures]:
        months: dict[int, Figures] = {}
        for item in self.work.values():
            for month, figures in item.months.items():
                months.setdefault(month, Figures()).update(figures)
        return months

    def codes(self) -> list[dict[str, Any]]:
        """Result codes chosen in the scope, as ``result_code_counts`` returns them."""
        merged: dict[str, dict[str, Any]] = {}
        for item in self.work.values():
            for code, entry in item.codes.items():
                row = merged.setdefault(code, {"resultcode__code": code, "resultcode__name": entry["name"],
                                               "resultcode__sort_order": entry["sort_order"], "n": 0})
                row["n"] += entry["n"]
        return sorted(merged.values(), key=lambda r: (r["resultcode__sort_order"], r["resultcode__code"]))

    @property
    def cycle_targets(self) -> dict[str, Decimal]:
        """The share each year needs to reach every target within 3 resp. 5 years."""
        return {"cycle_3y": Decimal("33.3"), "cycle_5y": Decimal("20.0")}


def plan_goals(owner_ids: list[int], year: int) -> dict[int, Decimal]:
    """The 年度抽查监管主体占比目标 of each bureau's filed plan of the year (latest version)."""
    rows = (
        AnnualPlan.objects.filter(owner_id__in=owner_ids, year=year, status__in=FILED_STATUSES)
        .order_by("owner_id", "-version")
        .values_list("owner_id", "overall_goal_percent")
    )
    goals: dict[int, Decimal] = {}
    for owner_id, goal in rows:
        goals.setdefault(owner_id, goal)
    return goals


def build_dashboard(
    *, actor: User, org_id: int | None = None, year: int | None = None, today: datetime.date | None = None,
    period: Period | None = None,
) -> Dashboard:
    today = today or timezone.localdate()
    scope = dashboard_scope(actor=actor, org_id=org_id)
    return dashboard_for_scope(scope, period or Period.year_to_date(year or today.year, today), today=today)


def dashboard_for_scope(scope: DashboardScope, period: Period, *, today: datetime.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    by_owner, counted_at, work = figures_by_owner(scope.owner_ids, period)
    figures = total(by_owner.values())
    rows: list[GroupRow] = []
    if scope.is_upper_level:
        for group in scope.groups:
            group_figures = total(by_owner[o] for o in group.owner_ids)
            org = _group_org(scope, group)
            rows.append(GroupRow(group, group_figures, rates(group_figures), org))
    goals = plan_goals(scope.owner_ids, period.year)
    goal = goals.get(scope.organization.pk, COVERAGE_GOALS[0])
    return Dashboard(scope, period, today, figures, rates(figures), by_owner, rows, counted_at, goal, goals, work)


def _group_org(scope: DashboardScope, group: RegionGroup) -> int | None:
    """The bureau whose dashboard a region row opens: the one at the region itself, else the only one."""
    orgs = [scope.owners[o] for o in group.owner_ids]
    at_region = [o for o in orgs if group.region is not None and o.region_id == group.region.pk]
    if group.is_own_level:
        return None
    if at_region:
        return at_region[0].pk
    return orgs[0].pk if len(orgs) == 1 else None
