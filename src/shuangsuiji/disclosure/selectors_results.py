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

from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.common.exceptions import NotFoundError
from shuangsuiji.core.uscc import normalize_uscc
from shuangsuiji.disclosure import page_cache
from shuangsuiji.disclosure.deadlines import PublicationDeadline, PublicationKind, publication_deadline
from shuangsuiji.disclosure.models import PublishedPenalty, PublishedResult, ResultGroup, ResultRelease
from shuangsuiji.disclosure.search import (
    MAX_QUERY,
    MIN_FRAGMENT,
    bigrams,
    fts5_phrase,
    normalize_name,
    uscc_query,
)
from shuangsuiji.disclosure.search_indexes import BIGRAM_ARRAY, BIGRAM_TABLE, FTS_TABLE
from shuangsuiji.inspections import services as inspection_services
from shuangsuiji.inspections.models import FollowUpCase, InspectionRecord, PublicationGroup, RecordStatus
from shuangsuiji.planning.models import Task, TaskState

PAGE_SIZE = 20
COUNT_CAP = 1000
TRIGRAM = 3


def clean_text(value: Any) -> str:
    """User input for a query: text without NUL characters (PostgreSQL refuses them), stripped."""
    return str(value or "").replace("\x00", "").strip()


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
        from shuangsuiji.disclosure.selectors import parse_int

        def number(name: str) -> int | None:
            return parse_int(params.get(name))

        group = params.get("result") or ""
        return cls(
            q=clean_text(params.get("q"))[:MAX_QUERY],
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
    """Name fragment through the n-gram indexes (see ``search``), re-checked with LIKE."""
    exact = qs.filter(name_search__contains=fragment)
    if len(fragment) >= TRIGRAM:
        if connection.vendor == "sqlite":
            return exact.filter(
                id__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [fts5_phrase(fragment)])  # nosec B611 B608
            )
        return exact  # PostgreSQL: LIKE '%…%' uses the pg_trgm GIN index
    if not bigrams(fragment):  # punctuation inside the fragment: no index can help, scan
        return exact
    # Two letters/digits/CJK characters: "the name has this bigram" is exactly "the name contains it", so the
    # bigram index alone answers (no LIKE re-check, which would also spoil PostgreSQL's row estimate).
    if connection.vendor == "sqlite":
        return qs.filter(
            id__in=RawSQL(f"SELECT rowid FROM {BIGRAM_TABLE} WHERE {BIGRAM_TABLE} MATCH %s", [fts5_phrase(fragment)])  # nosec B611 B608
        )
    if connection.vendor == "postgresql":
        return qs.filter(RawSQL(f"{BIGRAM_ARRAY} @> ARRAY[%s]::text[]", [fragment], output_field=BooleanField()))  # nosec B611
    return exact


def filtered_results(filters: ResultFilters) -> tuple[QuerySet[PublishedResult], str]:
    """The public results matching ``filters`` and a message for the user ("" when all is fine)."""
    from shuangsuiji.disclosure.selectors import region_subtree_ids

    qs = public_results()
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
    if filters.q:
        code = uscc_query(filters.q)
        if code is not None:
            qs = qs.filter(uscc=code)
        else:
            fragment = normalize_name(filters.q)
            if len(fragment) < MIN_FRAGMENT:
                return qs.none(), f"请至少输入{MIN_FRAGMENT}个字的名称片段，或输入18位统一社会信用代码"
            if connection.vendor == "sqlite" and _sqlite_prefers_like(qs, filters, fragment):
                # SQLite materialises all FTS matches first: for a common fragment inside one county and year the
                # indexed filters leave fewer rows than the fragment matches, so LIKE over them is faster.
                qs = qs.filter(name_search__contains=fragment)
            else:
                qs = _name_filter(qs, fragment)
    return qs.order_by("-id"), ""


# SQLite: a fragment with more FTS matches than this is "common"; then, if the indexed filters leave at most
# SQLITE_LIKE_SCAN_LIMIT rows, LIKE over those rows beats materialising the matches (bench/portal_bench.py).
SQLITE_COMMON_FRAGMENT = 2_000
SQLITE_LIKE_SCAN_LIMIT = 20_000


def _sqlite_prefers_like(qs: QuerySet[PublishedResult], filters: ResultFilters, fragment: str) -> bool:
    if not (filters.region_id or filters.year or filters.task_id):
        return False
    table = FTS_TABLE if len(fragment) >= TRIGRAM else BIGRAM_TABLE
    if len(fragment) < TRIGRAM and not bigrams(fragment):
        return True  # no index can answer: LIKE anyway
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT rowid FROM {table} WHERE {table} MATCH %s LIMIT %s)",  # nosec B608
            [fts5_phrase(fragment), SQLITE_COMMON_FRAGMENT + 1],
        )
        matches = int(cursor.fetchone()[0])
    if matches <= SQLITE_COMMON_FRAGMENT:
        return False
    return qs.order_by().values("pk")[: SQLITE_LIKE_SCAN_LIMIT + 1].count() <= SQLITE_LIKE_SCAN_LIMIT


def count_capped(qs: QuerySet[Any], cap: int = COUNT_CAP) -> int:
    """Rows up to ``cap`` + 1, without ordering (the database may stop at the first cap + 1 it finds)."""
    return qs.order_by().values("pk")[: cap + 1].count()


def _fragment(filters: ResultFilters) -> str:
    """The name fragment searched for ("" when the input is a code or there is none)."""
    if not filters.q or uscc_query(filters.q) is not None:
        return ""
    fragment = normalize_name(filters.q)
    return fragment if len(fragment) >= MIN_FRAGMENT else ""


def _fragment_page(
    qs: QuerySet[PublishedResult], filters: ResultFilters, fragment: str, page: int, page_size: int
) -> ResultPage:
    """PostgreSQL, a name fragment: the matching ids first (one pass over the n-gram index, at most
    COUNT_CAP + 1), then the page.

    A rare fragment (≤ COUNT_CAP matches: almost every real search) is then exact: the ids are sorted here and
    the page's rows fetched by primary key — no second index scan, no sort of the matches in the database
    (EXPLAIN ANALYZE on 1,000,000 results: a 2-character fragment with 1,948 matches walked the primary key
    backwards evaluating ``string_to_array`` on 7,877 rows, 28 ms, to fill one page). A common fragment
    (more than COUNT_CAP matches, ≥ 0.1 % of the rows) is served by walking the id order with a plain
    ``strpos`` test, which the planner cannot send to the n-gram index: 20 hits come within a few thousand rows.
    """
    ids = list(qs.order_by().values_list("pk", flat=True)[: COUNT_CAP + 1])
    total = len(ids)
    pages = max(1, -(-min(total, COUNT_CAP) // page_size))
    page = min(max(1, page), pages)
    offset = (page - 1) * page_size
    if total <= COUNT_CAP:
        wanted = sorted(ids, reverse=True)[offset : offset + page_size]
        found = PublishedResult.objects.select_related("region").in_bulk(wanted)
        rows = [found[pk] for pk in wanted if pk in found]
    else:
        common = qs.filter(
            RawSQL("strpos(name_search, %s) > 0", [fragment], output_field=BooleanField())  # nosec B611
        )
        rows = list(common.select_related("region").order_by("-id")[offset : offset + page_size])
    return ResultPage(rows=rows, total=total, page=page, pages=pages, message="", filters=filters)


def search_results(filters: ResultFilters, *, page: int = 1, page_size: int = PAGE_SIZE) -> ResultPage:
    qs, message = filtered_results(filters)
    fragment = _fragment(filters)
    if fragment and not message and connection.vendor == "postgresql":
        return _fragment_page(qs, filters, fragment, page, page_size)
    total = count_capped(qs)
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


@dataclass(frozen=True)
class SearchChoices:
    regions: list[tuple[int, str]]
    specialties: list[tuple[int, str]]
    years: list[tuple[int, str]]


def search_choices() -> SearchChoices:
    """Filter choices of the search form: a fragment cached until the next publication (page_cache generation)
    and at most a minute (a new region reaches the form without one)."""
    key = f"ssj:portal:search-choices:{page_cache.generation()}"
    cached = cache.get(key)
    if cached is None:
        from shuangsuiji.disclosure.selectors import public_regions, specialties

        cached = SearchChoices(
            regions=[(r.pk, r.name) for r in public_regions()],
            specialties=[(s.pk, s.name) for s in specialties()],
            years=[(y, f"{y}年") for y in result_years()],
        )
        cache.set(key, cached, 60)
    return cached


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
                                    reverse("disclosure_staff:task_publish", args=[task.pk]), deadline))
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
    """行政处罚 decisions taken in the inspections app but not yet published."""
    rows: list[DeadlineRow] = []
    for case in unpublished_penalty_cases(actor=actor):
        assert case.penalty_decided_on is not None
        deadline = publication_deadline(
            PublicationKind.PENALTY, start=case.penalty_decided_on, published_on=None, today=today
        )
        rows.append(DeadlineRow("行政处罚（7个工作日）", f"{case.penalty_decision_number} {case.target.name}",
                                case.owner.name, reverse("disclosure_staff:task_publish", args=[case.record.task_id]),
                                deadline))
    return rows


# ---------------------------------------------------------------- source: the inspections app

RECORD_KEY = "inspections.record:{}"


def unpublished_record_count(task: Task) -> int:
    """How many of the task's 一企一表 (not cancelled) have no published or withheld result yet."""
    published = set(PublishedResult.objects.filter(task=task).values_list("source_key", flat=True))
    records = InspectionRecord.objects.filter(task=task).exclude(status=RecordStatus.CANCELLED)
    return sum(1 for pk in records.values_list("pk", flat=True) if RECORD_KEY.format(pk) not in published)
CASE_KEY = "inspections.case:{}"
# inspections.PublicationGroup → ResultGroup (same seed-003 groups).
GROUP_FROM_INSPECTIONS = {
    PublicationGroup.NO_PROBLEM: ResultGroup.NO_PROBLEM,
    PublicationGroup.RECTIFIED: ResultGroup.RECTIFIED,
    PublicationGroup.PENALTY: ResultGroup.PENALTY,
    PublicationGroup.UNREACHABLE: ResultGroup.UNREACHABLE,
    PublicationGroup.OTHER: ResultGroup.OTHER,
}


def publishable_records(*, actor: User, task: Task) -> QuerySet[InspectionRecord]:
    """Reviewed (审核通过) records of the task not yet published."""
    published = PublishedResult.objects.filter(task=task).values_list("source_key", flat=True)
    keys = set(published)
    qs = (
        InspectionRecord.objects.visible_to(actor)
        .filter(task=task, status=RecordStatus.APPROVED)
        .select_related("target", "target__region")
        .prefetch_related("result_codes", "target__specialties")
        .order_by("number")
    )
    return qs.exclude(pk__in=[int(k.split(":")[1]) for k in keys if k.startswith("inspections.record:")])


def record_result(record: InspectionRecord) -> tuple[str, str]:
    """(group, label) a record is published with: the seed-003 group and the selected result names."""
    group = inspection_services.publication_group(record) or PublicationGroup.OTHER
    names = [code.name for code in record.result_codes.all()]
    if group == PublicationGroup.PENALTY and "行政处罚" not in names:
        names.append("行政处罚")
    return GROUP_FROM_INSPECTIONS[PublicationGroup(group)], "；".join(names) or PublicationGroup(group).label


def result_entries(*, actor: User, task: Task, withheld: dict[int, str] | None = None) -> list[Any]:
    """Entries for ``services.results_publish`` from the task's reviewed records (withheld: record pk → reason)."""
    from shuangsuiji.disclosure.services import ResultEntry

    withheld = withheld or {}
    task_specialties = set(task.specialties.values_list("pk", flat=True))
    entries = []
    for record in publishable_records(actor=actor, task=task):
        group, label = record_result(record)
        specialties = tuple(
            s for s in record.target.specialties.all() if not task_specialties or s.pk in task_specialties
        )
        entries.append(ResultEntry(
            source_key=RECORD_KEY.format(record.pk), target=record.target,
            inspected_on=record.inspected_on or timezone.localdate(record.reviewed_at or record.updated_at),
            result_group=group, result_label=label, specialties=specialties,
            withheld_reason=withheld.get(record.pk, ""),
        ))
    return entries


def unpublished_penalty_cases(*, actor: User, task: Task | None = None) -> QuerySet[FollowUpCase]:
    """Cases with a 行政处罚 decision whose result is published but whose penalty is not yet."""
    published = PublishedPenalty.objects.filter(source_key__startswith="inspections.case:").values_list(
        "source_key", flat=True
    )
    done = [int(k.split(":")[1]) for k in published]
    qs = (
        FollowUpCase.objects.visible_to(actor)
        .filter(penalty_decided_on__isnull=False)
        .exclude(penalty_decision_number="")
        .exclude(pk__in=done)
        .select_related("record", "target", "owner")
        .order_by("penalty_decided_on", "pk")
    )
    if task is not None:
        qs = qs.filter(record__task=task)
    return qs


def published_result_for_record(record_id: int) -> PublishedResult | None:
    return PublishedResult.objects.filter(source_key=RECORD_KEY.format(record_id)).first()
