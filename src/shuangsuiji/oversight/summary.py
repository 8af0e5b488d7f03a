"""The maintained summary of the 检查对象名录库 (``TargetStat``) that the dashboards and reports read.

Counting a million targets per 专业 on every page view is too slow (a join of the targets with their 专业),
so each bureau's library is counted once into a few hundred rows: per 专业 (or all), status, risk class and
year of the last inspection. The rows are re-counted:

* when the library changed: saving a target, changing its 专业 or finishing an import marks the bureau
  *dirty* (``oversight.signals``); the next dashboard view re-counts dirty bureaus (one county: tens of
  milliseconds) within ``SYNC_REFRESH_MAX_TARGETS`` and leaves bigger backlogs to the background job;
* by the background job every 10 minutes (dirty bureaus) and every night (all bureaus, which also catches
  rows written with raw SQL);
* on demand: ``ssj manage refresh_dashboard_stats`` or ``target_stats_refresh(owner_ids=…)``.

The page shows the oldest counting time of the bureaus it sums (“名录库统计时间”).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone

from shuangsuiji.directory.models import Target
from shuangsuiji.oversight.models_reports import TargetStat, TargetStatStamp

BATCH = 5000


def sync_refresh_budget() -> int:
    """How many targets a page view may re-count itself before leaving the rest to the background job."""
    return int(getattr(settings, "SSJ_DASHBOARD_SYNC_REFRESH_MAX_TARGETS", 200_000))


@transaction.atomic
def target_stats_refresh(*, owner_ids: Iterable[int] | None = None) -> int:
    """Re-count the targets of ``owner_ids`` (None: every bureau that owns targets). Returns the rows written.

    Two aggregate queries (all 专业 and per 专业); nothing iterates over targets.
    """
    if owner_ids is None:
        owners = sorted(
            set(Target.objects.order_by().values_list("owner_id", flat=True).distinct())
            | set(TargetStatStamp.objects.values_list("owner_id", flat=True))
        )
    else:
        owners = sorted(set(owner_ids))
    if not owners:
        return 0
    now = timezone.now()
    TargetStat.objects.filter(owner_id__in=owners).delete()
    live = Target.objects.filter(owner_id__in=owners, is_retired=False)
    totals = (
        live.order_by()
        .annotate(last_year=ExtractYear("last_inspected_on"))
        .values("owner_id", "status", "risk_class", "last_year")
        .annotate(n=Count("pk"))
    )
    rows = [
        TargetStat(owner_id=r["owner_id"], specialty_id=None, status=r["status"], risk_class=r["risk_class"],
                   last_year=r["last_year"], count=r["n"])
        for r in totals
    ]
    through = Target.specialties.through
    per_specialty = (
        through.objects.filter(target__owner_id__in=owners, target__is_retired=False)
        .order_by()
        .annotate(last_year=ExtractYear("target__last_inspected_on"))
        .values("target__owner_id", "specialty_id", "target__status", "last_year")  # type: ignore[misc]
        .annotate(n=Count("pk"))
    )
    rows.extend(
        TargetStat(owner_id=r["target__owner_id"], specialty_id=r["specialty_id"], status=r["target__status"],
                   risk_class="", last_year=r["last_year"], count=r["n"])
        for r in per_specialty
    )
    TargetStat.objects.bulk_create(rows, batch_size=BATCH)
    counts: dict[int, int] = dict.fromkeys(owners, 0)
    for row in rows:
        if row.specialty_id is None:
            counts[row.owner_id] += row.count
    existing = set(TargetStatStamp.objects.filter(owner_id__in=owners).values_list("owner_id", flat=True))
    TargetStatStamp.objects.bulk_create(
        [TargetStatStamp(owner_id=o, refreshed_at=now, dirty=False, target_count=counts[o])
         for o in owners if o not in existing]
    )
    for owner_id in existing:
        TargetStatStamp.objects.filter(owner_id=owner_id).update(
            refreshed_at=now, dirty=False, target_count=counts[owner_id]
        )
    return len(rows)


def mark_dirty(owner_id: int | None) -> None:
    """The library of ``owner_id`` changed: its counts are re-counted before they are shown again."""
    if owner_id is not None:
        TargetStatStamp.objects.filter(owner_id=owner_id, dirty=False).update(dirty=True)


def ensure_fresh(owner_ids: list[int], *, budget: int | None = None) -> datetime.datetime | None:
    """Re-count the bureaus of ``owner_ids`` never counted or marked dirty, as long as they hold at most
    ``budget`` targets together; return the oldest counting time of all of them (None: nothing to show)."""
    budget = sync_refresh_budget() if budget is None else budget
    stamps = {s.owner_id: s for s in TargetStatStamp.objects.filter(owner_id__in=owner_ids)}
    missing = [o for o in owner_ids if o not in stamps]
    dirty = sorted((s for s in stamps.values() if s.dirty), key=lambda s: s.target_count)
    todo = list(missing)
    used = 0
    for stamp in dirty:
        if used + stamp.target_count > budget and todo:
            break
        todo.append(stamp.owner_id)
        used += stamp.target_count
    if todo:
        target_stats_refresh(owner_ids=todo)
        stamps.update({s.owner_id: s for s in TargetStatStamp.objects.filter(owner_id__in=todo)})
    times = [s.refreshed_at for s in stamps.values()]
    return min(times) if times else None


def target_stats_refresh_stale(*, max_age: datetime.timedelta | None = None) -> int:
    """Background job: re-count dirty bureaus (and, with ``max_age``, those counted longer ago)."""
    condition = Q(dirty=True)
    if max_age is not None:
        condition |= Q(refreshed_at__lt=timezone.now() - max_age)
    owners = list(TargetStatStamp.objects.filter(condition).values_list("owner_id", flat=True))
    if max_age is not None:
        counted = set(TargetStatStamp.objects.values_list("owner_id", flat=True))
        owners.extend(
            o for o in Target.objects.order_by().values_list("owner_id", flat=True).distinct() if o not in counted
        )
    return target_stats_refresh(owner_ids=owners) if owners else 0
