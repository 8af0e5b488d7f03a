"""Reads of oversight, always scoped: deadlines, 督办 and 问责 by ``visible_to``; notifications by recipient.

Counts for dashboards and the portal:

* ``deadline_status_counts(actor=…)`` → ``{"pending": 3, "near": 1, "overdue": 2, "completed": 10,
  "completed_late": 1, "total": 16}`` for everything the actor may read (or one ``organization``);
* ``deadline_counts_by_organization(actor=…)`` → one row per bureau with the same keys;
* ``deadline_counts_for_owners(owner_ids=…)`` → the same without an actor, for the public portal
  (aggregates only, no names).
"""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from shuangsuiji.accounts.models import Organization
from shuangsuiji.accounts.scope import get_visible_or_404, readable_owner_ids
from shuangsuiji.common.exceptions import NotFoundError
from shuangsuiji.core.workdays import WorkdayCalendar
from shuangsuiji.deadlines.calendar import get_calendar
from shuangsuiji.deadlines.models import (
    Accountability,
    AccountabilityStatus,
    CalendarDay,
    CalendarYear,
    Deadline,
    DeadlineKind,
    DeadlineQuerySet,
    DeadlineStatus,
    Notification,
    Supervision,
    SupervisionStatus,
)
from shuangsuiji.deadlines.permissions import is_oversight_viewer, require_accountability_viewer

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User

STATUS_KEYS = [status.value for status in DeadlineStatus]


def _today(today: date | None) -> date:
    return today or timezone.localdate()


# ---------------------------------------------------------------------------------------- deadlines


YES_NO = [("true", "是"), ("false", "否")]


def _yes_no_filter(label: str, **kwargs: Any) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(label=label, choices=YES_NO, empty_label="全部", **kwargs)


class DeadlineFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label="状态", choices=DeadlineStatus.choices, method="by_status", empty_label="全部"
    )
    kind = django_filters.ChoiceFilter(label="期限类型", choices=DeadlineKind.choices, empty_label="全部")
    provisional = _yes_no_filter("暂定", method="by_flag")
    late = _yes_no_filter("逾期完成", method="by_flag")
    mine = _yes_no_filter("只看我负责的", method="only_mine")
    q = django_filters.CharFilter(label="事项", field_name="subject_repr", lookup_expr="icontains")

    class Meta:
        model = Deadline
        fields = ["status", "kind", "provisional", "late", "mine", "q"]

    def by_status(self, queryset: DeadlineQuerySet, name: str, value: str) -> QuerySet[Deadline]:
        today = self.request.ssj_today if self.request is not None else timezone.localdate()  # type: ignore[attr-defined]
        return queryset.in_status(value, today)

    def by_flag(self, queryset: QuerySet[Deadline], name: str, value: str) -> QuerySet[Deadline]:
        field = {"provisional": "provisional", "late": "completed_late"}[name]
        return queryset.filter(**{field: value == "true"})

    def only_mine(self, queryset: QuerySet[Deadline], name: str, value: str) -> QuerySet[Deadline]:
        user = getattr(self.request, "user", None)
        if value == "true" and user is not None:
            return queryset.filter(responsible_id=user.pk)
        if value == "false" and user is not None:
            return queryset.exclude(responsible_id=user.pk)
        return queryset


class _FilterRequest:
    """What the filter set needs of a request: the user and the day statuses refer to."""

    def __init__(self, user: User, today: date) -> None:
        self.user = user
        self.ssj_today = today


def deadline_list(
    *, actor: User, filters: dict[str, Any] | None = None, today: date | None = None
) -> QuerySet[Deadline]:
    today = _today(today)
    qs = (
        Deadline.objects.with_status(today)
        .visible_to(actor)
        .select_related("owner", "organization", "responsible", "content_type")
    )
    request = _FilterRequest(actor, today)
    return DeadlineFilterSet(filters or {}, queryset=qs, request=request).qs  # type: ignore[arg-type]


def deadline_get(*, actor: User, pk: int, today: date | None = None) -> Deadline:
    qs = Deadline.objects.with_status(_today(today)).select_related(
        "owner", "organization", "responsible", "completed_by", "content_type"
    )
    return get_visible_or_404(qs, actor, pk=pk)  # type: ignore[no-any-return]


def deadlines_for_subject(*, actor: User, subject: models.Model, today: date | None = None) -> list[Deadline]:
    """The deadlines of one plan/task/record, to show on its page."""
    return list(
        Deadline.objects.with_status(_today(today))
        .visible_to(actor)
        .filter(content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk)
        .select_related("responsible", "organization")
        .order_by("due_date")
    )


def _count_expressions(today: date) -> dict[str, Count]:
    open_ = Q(completed_at__isnull=True)
    return {
        DeadlineStatus.PENDING.value: Count("pk", filter=open_ & Q(remind_on__gt=today)),
        DeadlineStatus.NEAR.value: Count("pk", filter=open_ & Q(remind_on__lte=today, due_date__gte=today)),
        DeadlineStatus.OVERDUE.value: Count("pk", filter=open_ & Q(due_date__lt=today)),
        DeadlineStatus.COMPLETED.value: Count("pk", filter=Q(completed_at__isnull=False)),
        "completed_late": Count("pk", filter=Q(completed_late=True)),
        "total": Count("pk"),
    }


def deadline_status_counts(
    *, actor: User, today: date | None = None, organization: Organization | None = None,
    kinds: list[str] | None = None,
) -> dict[str, int]:
    """Counts by status of the deadlines ``actor`` may read (one query)."""
    qs = Deadline.objects.visible_to(actor)
    if organization is not None:
        qs = qs.filter(owner=organization.bureau)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return {key: int(value or 0) for key, value in qs.aggregate(**_count_expressions(_today(today))).items()}


def deadline_counts_by_organization(
    *, actor: User, today: date | None = None, kinds: list[str] | None = None
) -> list[dict[str, Any]]:
    """One row per bureau the actor may read: ``{"organization": Organization, "pending": …, …}``."""
    qs = Deadline.objects.visible_to(actor)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return _rows_by_owner(qs, _today(today))


def deadline_counts_for_owners(
    *, owner_ids: list[int] | None, today: date | None = None, kinds: list[str] | None = None
) -> list[dict[str, Any]]:
    """Aggregates for the public portal and the CLI (no actor): counts per bureau, nothing personal.

    ``owner_ids=None`` means every bureau (system use only).
    """
    qs = Deadline.objects.all() if owner_ids is None else Deadline.objects.filter(owner_id__in=owner_ids)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return _rows_by_owner(qs, _today(today))


def _rows_by_owner(qs: QuerySet[Deadline], today: date) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        dict(row) for row in qs.order_by().values("owner_id").annotate(**_count_expressions(today))
    ]
    orgs = Organization.objects.in_bulk([row["owner_id"] for row in rows])
    result = [{"organization": orgs[row.pop("owner_id")], **row} for row in rows]
    return sorted(result, key=lambda row: row["organization"].code)


# ---------------------------------------------------------------------------------------- notifications


def notification_list(*, actor: User, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.for_user(actor)
    if unread_only:
        qs = qs.unread()
    return qs


def notification_get(*, actor: User, pk: int) -> Notification:
    notification = Notification.objects.for_user(actor).filter(pk=pk).first()
    if notification is None:
        raise NotFoundError("提醒不存在")
    return notification


def unread_notification_count(*, actor: User) -> int:
    return Notification.objects.for_user(actor).unread().count()


# ---------------------------------------------------------------------------------------- 督办 / 问责


def _supervisions_visible(actor: User) -> QuerySet[Supervision]:
    qs = Supervision.objects.visible_to(actor)
    if not is_oversight_viewer(actor):
        qs = qs.filter(Q(responsible_id=actor.pk) | Q(addressees=actor)).distinct()
    return qs  # type: ignore[no-any-return]


def supervision_list(*, actor: User, status: str = "") -> QuerySet[Supervision]:
    qs = _supervisions_visible(actor).select_related("deadline", "responsible", "owner")
    if status in SupervisionStatus.values:
        qs = qs.filter(status=status)
    return qs


def supervision_get(*, actor: User, pk: int) -> Supervision:
    supervision = (
        _supervisions_visible(actor)
        .select_related("deadline__organization", "responsible", "owner", "answered_by")
        .filter(pk=pk)
        .first()
    )
    if supervision is None:
        raise NotFoundError("督办不存在或不在您的数据范围内")
    return supervision


def accountability_list(*, actor: User, status: str = "") -> QuerySet[Accountability]:
    require_accountability_viewer(actor)
    qs = Accountability.objects.visible_to(actor).select_related("person", "organization", "owner", "deadline")
    if status in AccountabilityStatus.values:
        qs = qs.filter(status=status)
    return qs  # type: ignore[no-any-return]


def accountability_get(*, actor: User, pk: int) -> Accountability:
    qs = Accountability.objects.select_related("person", "organization", "owner", "deadline", "concluded_by")
    accountability = qs.visible_to(actor).filter(pk=pk).first()
    if accountability is None:
        raise NotFoundError("问责记录不存在或不在您的数据范围内")
    require_accountability_viewer(actor)
    return accountability  # type: ignore[no-any-return]


def scope_has_any(actor: User) -> bool:
    ids = readable_owner_ids(actor)
    return ids is None or bool(ids)


# ---------------------------------------------------------------------------------------- calendar


@dataclass
class CalendarCell:
    day: date | None
    is_workday: bool = False
    label: str = ""
    css: str = ""


@dataclass
class CalendarMonth:
    month: int
    weeks: list[list[CalendarCell]]


@dataclass
class CalendarYearView:
    year: int
    known: CalendarYear | None
    provisional_reason: str | None
    months: list[CalendarMonth]
    entries: list[CalendarDay]
    workdays: int
    known_years: list[int]


def calendar_year_view(*, year: int, calendar: WorkdayCalendar | None = None) -> CalendarYearView:
    """A year as twelve month grids (Monday first) with holidays and 调休 marked, and the table's entries."""
    if not 1900 <= year <= 2999:
        raise NotFoundError("年份超出范围")
    calendar = calendar or get_calendar()
    months: list[CalendarMonth] = []
    for month in range(1, 13):
        weeks: list[list[CalendarCell]] = []
        for week in month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row: list[CalendarCell] = []
            for day in week:
                if day.month != month:
                    row.append(CalendarCell(None))
                    continue
                info = calendar.day_info(day)
                if day in calendar.makeup_workdays:
                    css = "cal-makeup"
                elif day in calendar.days_off:
                    css = "cal-holiday"
                elif not info.is_workday:
                    css = "cal-weekend"
                else:
                    css = ""
                row.append(CalendarCell(day, info.is_workday, info.label, css))
            weeks.append(row)
        months.append(CalendarMonth(month, weeks))
    entries = list(CalendarDay.objects.filter(year=year).select_related("updated_by").order_by("date"))
    return CalendarYearView(
        year=year,
        known=CalendarYear.objects.filter(year=year).select_related("updated_by").first(),
        # an unknown year: say so plainly; a known one: mention the next year's New Year spill-over, if any
        provisional_reason=calendar.provisional_reason(
            date(year, 1, 1), date(year, 12, 31) if calendar.is_known_year(year) else date(year, 12, 28)
        ),
        months=months,
        entries=entries,
        workdays=calendar.workdays_between(date(year - 1, 12, 31), date(year, 12, 31)),
        known_years=sorted(calendar.known_years),
    )
