"""Reads of 抽查结果公示: public search, per task, per enterprise; deadline status for oversight.

Public reads see ``is_public`` rows only. Search: a valid 18-character code is an exact USCC match; any other
input is a name fragment (normalised like ``name_search``). Fragments of ≥ 3 characters use the trigram
index (pg_trgm GIN on PostgreSQL, FTS5 trigram on SQLite); 2-character fragments scan in publication order
(index ``pubres_public_recent``) and stop at the page; 1 character is refused. Counts stop at ``COUNT_CAP``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.common.exceptions import NotFoundError
from shuangsuiji.core.uscc import normalize_uscc
from shuangsuiji.disclosure.deadlines import PublicationDeadline, PublicationKind, publication_deadline
from shuangsuiji.disclosure.models import PublishedPenalty, PublishedResult, ResultGroup, ResultRelease
from shuangsuiji.disclosure.search import MAX_QUERY, MIN_FRAGMENT, fts5_phrase, normalize_name, uscc_query
from shuangsuiji.disclosure.search_indexes import FTS_TABLE
from shuangsuiji.planning.models import Task, TaskState

PAGE_SIZE = 20
COUNT_CAP = 1000
TRIGRAM = 3


@dataclass
class ResultFilters:
    q: str = ""
    region_id: int | None = None
    specialty_id: int | None = None
    year: int | None = None
    group: str = ""
    task_id: int | None = None

    @classmethod
    def from_params(cls, params: Any) -> ResultFilters:
        def number(name: str) -> int | None:
            try:
                return int(params.get(name) or "")
            except ValueError:
                return None

        group = params.get("result") or ""
        return cls(
            q=(params.get("q") or "").strip()[:MAX_QUERY],
            region_id=number("region"),
            specialty_id=number("specialty"),
            year=number("year"),
            group=group if group in ResultGroup.values else "",
        )

    @property
    def is_empty(self) -> bool:
        return not (self.q or self.region_id or self.specialty_id or self.year or self.group or self.task_id)


@dataclass
class ResultPage:
    rows: list[PublishedResult]
    total: int  # capped at COUNT_CAP + 1
    page: int
    pages: int
    message: str = ""
    filters: ResultFilters = field(default_factory=ResultFilters)

    @property
    def total_text(self) -> str:
        return f"超过{COUNT_CAP}" if self.total > COUNT_CAP else str(self.total)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def public_results() -> QuerySet[PublishedResult]:
    return PublishedResult.objects.filter(is_public=True)


def _name_filter(qs: QuerySet[PublishedResult], fragment: str) -> QuerySet[PublishedResult]:
    if connection.vendor == "sqlite" and len(fragment) >= TRIGRAM:
        return qs.filter(
            id__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [fts5_phrase(fragment)])
        )
    return qs.filter(name_search__contains=fragment)


def filtered_results(filters: ResultFilters) -> tuple[QuerySet[PublishedResult], str]:
    """The public results matching ``filters`` and a message for the user ("" when all is fine)."""
    from shuangsuiji.disclosure.selectors import region_subtree_ids

    qs = public_results()
    message = ""
    if filters.q:
        code = uscc_query(filters.q)
        if code is not None:
            qs = qs.filter(uscc=code)
        else:
            fragment = normalize_name(filters.q)
            if len(fragment) < MIN_FRAGMENT:
                return qs.none(), f"请至少输入{MIN_FRAGMENT}个字的名称片段，或输入18位统一社会信用代码"
            qs = _name_filter(qs, fragment)
    if filters.region_id:
        qs = qs.filter(region_id__in=region_subtree_ids(filters.region_id))
    if filters.specialty_id:
        qs = qs.filter(specialties__id=filters.specialty_id)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.group:
        qs = qs.filter(result_group=filters.group)
    if filters.task_id:
        qs = qs.filter(task_id=filters.task_id)
    return qs.order_by("-published_at", "-id"), message


def search_results(filters: ResultFilters, *, page: int = 1, page_size: int = PAGE_SIZE) -> ResultPage:
    qs, message = filtered_results(filters)
    total = qs.values("id")[: COUNT_CAP + 1].count()
    pages = max(1, -(-min(total, COUNT_CAP) // page_size))
    page = min(max(1, page), pages)
    offset = (page - 1) * page_size
    rows = list(qs.select_related("region")[offset : offset + page_size])
    return ResultPage(rows=rows, total=total, page=page, pages=pages, message=message, filters=filters)


def public_result_get(*, pk: int) -> PublishedResult:
    result = public_results().select_related("region", "task").filter(pk=pk).first()
    if result is None:
        raise NotFoundError("该结果不存在或未公开")
    return result


def public_penalties(*, result: PublishedResult) -> QuerySet[PublishedPenalty]:
    return result.penalties.filter(is_public=True).order_by("decided_on", "pk")


def enterprise_results(*, uscc: str) -> QuerySet[PublishedResult]:
    return public_results().filter(uscc=normalize_uscc(uscc)).select_related("region").order_by("-inspected_on", "-id")


def task_results(*, task: Task) -> QuerySet[PublishedResult]:
    return public_results().filter(task=task).select_related("region").order_by("enterprise_name", "id")


def task_releases(*, task: Task) -> QuerySet[ResultRelease]:
    return ResultRelease.objects.filter(task=task).order_by("published_at", "pk")


def task_withheld_count(*, task: Task) -> int:
    """How many results of the task are held back (依法不宜公开) — the number is public, the content is not."""
    return PublishedResult.objects.filter(task=task, is_public=False).count()


def result_years() -> list[int]:
    return sorted(set(ResultRelease.objects.values_list("task__year", flat=True)), reverse=True)


# ---------------------------------------------------------------- announcements


def recent_result_announcements(*, limit: int) -> list[Any]:
    from shuangsuiji.disclosure.selectors import Announcement, public_tasks

    releases = (
        ResultRelease.objects.filter(task__in=public_tasks(), public_count__gt=0)
        .select_related("owner")
        .order_by("-published_at")[:limit]
    )
    return [
        Announcement(
            "抽查结果", r.title, reverse("disclosure:task_results", args=[r.task_id]), r.published_at, r.owner.name,
            f"公示{r.public_count}户" + (f"，依法不予公开{r.withheld_count}户" if r.withheld_count else ""),
        )
        for r in releases
    ]


# ---------------------------------------------------------------- deadlines (oversight, login required)


@dataclass(frozen=True)
class DeadlineRow:
    kind: str
    subject: str
    organization: str
    url: str
    deadline: PublicationDeadline


def task_publication_deadline(*, task: Task, today: datetime.date) -> PublicationDeadline | None:
    if task.completed_at is None:
        return None
    first = task_releases(task=task).first()
    published_on = timezone.localtime(first.published_at).date() if first else None
    return publication_deadline(
        PublicationKind.RESULT, start=timezone.localtime(task.completed_at).date(), published_on=published_on,
        today=today,
    )


def publication_deadline_rows(*, actor: User, today: datetime.date) -> list[DeadlineRow]:
    """Result publications (20 working days) and penalty publications (7) of the bureaus the actor reads."""
    rows: list[DeadlineRow] = []
    tasks = (
        Task.objects.visible_to(actor)
        .filter(completed_at__isnull=False, state__in=[TaskState.COMPLETED, TaskState.PUBLISHED])
        .select_related("owner")
        .order_by("-completed_at")
    )
    for task in tasks:
        deadline = task_publication_deadline(task=task, today=today)
        if deadline is not None:
            rows.append(DeadlineRow("抽查结果（20个工作日）", str(task), task.owner.name,
                                    reverse("disclosure:task_results", args=[task.pk]), deadline))
    penalties = PublishedPenalty.objects.filter(result__owner_id__in=_owner_ids(actor)).select_related("result")
    for penalty in penalties.order_by("-decided_on"):
        published_on = timezone.localtime(penalty.published_at).date() if penalty.is_public else None
        deadline = publication_deadline(
            PublicationKind.PENALTY, start=penalty.decided_on, published_on=published_on, today=today
        )
        rows.append(DeadlineRow("行政处罚（7个工作日）", f"{penalty.decision_no} {penalty.result.enterprise_name}",
                                penalty.authority, reverse("disclosure:result_detail", args=[penalty.result_id]),
                                deadline))
    rows.extend(pending_penalty_rows(actor=actor, today=today))
    return rows


def _owner_ids(actor: User) -> Any:
    return Task.objects.visible_to(actor).values("owner_id")


def pending_penalty_rows(*, actor: User, today: datetime.date) -> list[DeadlineRow]:
    """行政处罚 decisions taken but not yet published: filled in from the inspections app once it exists."""
    return []
