"""Maintained per-bureau snapshots of the dashboard's work figures (``FigureSnapshot``).

The dashboard of a province sums 177 bureaus; aggregating their records on every page view costs seconds on
a province-sized data set. Instead each bureau's figures of the year as of today — the counters of
``oversight.dashboard`` / ``dashboard_results``, per 专业, per month and per result code — are computed with the
same grouped queries (for all stale bureaus at once) and kept as one JSON row per bureau and year. A page sums
the rows of its scope; rates are computed from the sums.

A snapshot is stale when ``dirty`` (``oversight.signals`` marks the bureau when one of its tasks, draws, records,
result codes, cases, deadlines, reminders, 督办 or 问责 is saved), when it was computed for another day (overdue
counts change with the date), or when older than ``SSJ_DASHBOARD_SNAPSHOT_MAX_AGE`` seconds (default 600: also
catches bulk writes that send no signal). The background job recomputes stale snapshots every 10 minutes, so
a page normally finds them fresh; it shows the oldest computing time. Reports and drill-down lists always
query live.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from shuangsuiji.oversight import dashboard_results as results
from shuangsuiji.oversight.dashboard import Figures, Period, chain_figures, task_figures
from shuangsuiji.oversight.models_reports import FigureSnapshot

DECIMAL_KEYS = {"penalty_amount"}


@dataclass
class OwnerWork:
    figures: Figures = field(default_factory=Figures)
    specialty: dict[int, Figures] = field(default_factory=dict)
    months: dict[int, Figures] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)  # code → name, sort_order, n

    def as_json(self) -> dict[str, Any]:
        return {
            "figures": _dump(self.figures),
            "specialty": {str(k): _dump(v) for k, v in self.specialty.items()},
            "months": {str(k): _dump(v) for k, v in self.months.items()},
            "codes": self.codes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OwnerWork:
        return cls(
            figures=_load(data.get("figures", {})),
            specialty={int(k): _load(v) for k, v in data.get("specialty", {}).items()},
            months={int(k): _load(v) for k, v in data.get("months", {}).items()},
            codes=data.get("codes", {}),
        )


def _dump(figures: Figures) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in figures.items() if v}


def _load(data: dict[str, Any]) -> Figures:
    return Figures({k: (Decimal(v) if k in DECIMAL_KEYS else v) for k, v in data.items()})


def sync_budget() -> int:
    """How many outdated bureaus a page view recomputes itself (the background job does the rest)."""
    return int(getattr(settings, "SSJ_DASHBOARD_SYNC_SNAPSHOTS", 30))


def max_age() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(getattr(settings, "SSJ_DASHBOARD_SNAPSHOT_MAX_AGE", 600)))


def compute_work(owner_ids: list[int], period: Period) -> dict[int, OwnerWork]:
    """The work figures of each bureau (grouped queries; their number does not depend on the rows)."""
    from shuangsuiji.oversight.statistics import specialty_work

    by_owner: dict[int, Figures] = {pk: Figures() for pk in owner_ids}
    task_figures(owner_ids, period, by_owner)
    chain_figures(owner_ids, period, by_owner)
    results.result_figures(owner_ids, period, by_owner)
    work = {pk: OwnerWork(figures=by_owner[pk]) for pk in owner_ids}
    for (owner, specialty), figures in specialty_work(owner_ids, period).items():
        work[owner].specialty[specialty] = figures
    codes = results.inspected_codes_queryset(owner_ids, period)
    months = codes.annotate(m=ExtractMonth("inspectionrecord__inspected_on")).order_by().values(
        "inspectionrecord__owner_id", "m").annotate(
        inspected=Count("inspectionrecord_id", distinct=True),
        problems=Count("inspectionrecord_id", distinct=True, filter=Q(resultcode__is_problem=True)),
    )
    for row in months:
        work[row["inspectionrecord__owner_id"]].months[row["m"]] = Figures(inspected=row["inspected"],
                                                                           problems=row["problems"])
    per_code = codes.order_by().values(
        "inspectionrecord__owner_id", "resultcode__code", "resultcode__name", "resultcode__sort_order"
    ).annotate(n=Count("pk"))
    for row in per_code:
        work[row["inspectionrecord__owner_id"]].codes[row["resultcode__code"]] = {
            "name": row["resultcode__name"], "sort_order": row["resultcode__sort_order"], "n": row["n"]}
    return work


def is_standard(period: Period, today: datetime.date) -> bool:
    """The dashboard's own period (the year up to today, statuses as of today): the one snapshots hold."""
    return period == Period.year_to_date(period.year, today) and period.as_of == today


def owner_work(owner_ids: list[int], period: Period, *, budget: int | None = None
               ) -> tuple[dict[int, OwnerWork], datetime.datetime | None]:
    """The work figures of ``owner_ids`` for the dashboard's period, from fresh snapshots; stale or missing ones
    are recomputed together first. Returns the figures and the oldest computing time."""
    now = timezone.now()
    today = period.as_of
    rows = {s.owner_id: s for s in FigureSnapshot.objects.filter(owner_id__in=owner_ids, year=period.year)}
    oldest = now - max_age()
    outdated = [pk for pk in owner_ids
                if pk in rows and (rows[pk].dirty or rows[pk].as_of != today or rows[pk].computed_at < oldest)]
    # Missing snapshots are always computed; outdated ones up to the budget (most outdated first), the rest
    # are shown as they are (with their time) until the background job catches up.
    outdated.sort(key=lambda pk: rows[pk].computed_at)
    stale = [pk for pk in owner_ids if pk not in rows] + outdated[: sync_budget() if budget is None else budget]
    work = {pk: OwnerWork.from_json(rows[pk].data) for pk in owner_ids if pk not in stale}
    if stale:
        fresh = compute_work(stale, period)
        store(fresh, period, now)
        work.update(fresh)
    times = [rows[pk].computed_at for pk in owner_ids if pk not in stale and pk in rows] + ([now] if stale else [])
    return work, (min(times) if times else None)


@transaction.atomic
def store(work: dict[int, OwnerWork], period: Period, now: datetime.datetime) -> None:
    existing = dict(FigureSnapshot.objects.filter(owner_id__in=list(work), year=period.year)
                    .values_list("owner_id", "pk"))
    new, changed = [], []
    for owner_id, item in work.items():
        snapshot = FigureSnapshot(owner_id=owner_id, year=period.year, as_of=period.as_of, computed_at=now,
                                  dirty=False, data=item.as_json())
        if owner_id in existing:
            snapshot.pk = existing[owner_id]
            changed.append(snapshot)
        else:
            new.append(snapshot)
    FigureSnapshot.objects.bulk_create(new)
    FigureSnapshot.objects.bulk_update(changed, ["as_of", "computed_at", "dirty", "data"], batch_size=500)


def mark_dirty(owner_id: int | None) -> None:
    """Something of the bureau changed: its snapshots are recomputed before they are shown again."""
    if owner_id is not None:
        FigureSnapshot.objects.filter(owner_id=owner_id, dirty=False).update(dirty=True)


def refresh_stale(*, today: datetime.date | None = None) -> int:
    """Background job: recompute this year's stale snapshots of every bureau that has one (or has data)."""
    from shuangsuiji.oversight.dashboard import all_bureau_ids

    today = today or timezone.localdate()
    period = Period.year_to_date(today.year, today)
    owner_ids = all_bureau_ids()
    owner_work(owner_ids, period, budget=len(owner_ids))
    return len(owner_ids)
