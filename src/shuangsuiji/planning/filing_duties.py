"""Plan filing duties open for every bureau at the start of the year (issue 18 item 7).

``open_filing_duties(year)`` (daily huey job ``planning.tasks.filing_duties_task``, idempotent; also run by the
demo) gives every active 卫生健康局 a ``PlanFilingDuty`` for its annual plan (due on the configured date, 1月31日 by
default) and its joint plan (3月31日), each with its deadline in the deadlines engine — so 懒政提醒 → 怠政督办 →
失职问责 run for a bureau that has not even created a plan. A duty whose plan is already filed (annual) or published
(joint) is completed at once; filing later completes it through ``complete_filing_duty`` (planning.deadline_hooks).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import Organization, OrganizationKind, User
from shuangsuiji.deadlines.models import Deadline, DeadlineKind
from shuangsuiji.deadlines.services import deadline_complete, deadline_open
from shuangsuiji.planning.models import AnnualPlan, JointPlan
from shuangsuiji.planning.rule_models import DutyKind, PlanFilingDuty

KINDS = {DutyKind.ANNUAL: DeadlineKind.ANNUAL_PLAN_FILING, DutyKind.JOINT: DeadlineKind.JOINT_PLAN_FILING}


def _done_at(bureau: Organization, year: int, kind: str) -> datetime.datetime | None:
    if kind == DutyKind.ANNUAL:
        plan = AnnualPlan.objects.filter(owner=bureau, year=year, filed_at__isnull=False).order_by("filed_at").first()
        return plan.filed_at if plan is not None else None
    joint = JointPlan.objects.filter(owner=bureau, year=year, published_at__isnull=False).order_by("published_at").first()
    return joint.published_at if joint is not None else None


@transaction.atomic
def open_filing_duties(
    *, year: int | None = None, actor: User | None = None,
    done_at: Callable[[Organization, int, str], datetime.datetime | None] | None = None,
) -> int:
    """Open this year's filing duties of every active bureau; returns how many were created. ``done_at`` says
    when a duty was met (default: the plan's 备案 / the joint plan's publication)."""
    done_at = done_at or _done_at
    year = year or timezone.localdate().year
    created = 0
    for bureau in Organization.objects.filter(kind=OrganizationKind.HEALTH_BUREAU, is_active=True).order_by("pk"):
        for kind, deadline_kind in KINDS.items():
            duty, was_created = PlanFilingDuty.objects.get_or_create(organization=bureau, year=year, kind=kind)
            created += int(was_created)
            if _plan_deadline_exists(bureau, year, kind):
                continue  # the plan was created first: its own filing deadline is the duty's
            deadline_open(subject=duty, kind=deadline_kind, year=year, organization=bureau, actor=actor)
            done = done_at(bureau, year, kind)
            if done is not None:
                deadline_complete(subject=duty, kind=deadline_kind, actor=actor, when=done)
    return created


def _plan_deadline_exists(bureau: Organization, year: int, kind: str) -> bool:
    from django.contrib.contenttypes.models import ContentType

    model = AnnualPlan if kind == DutyKind.ANNUAL else JointPlan
    ids = model.objects.filter(owner=bureau, year=year).values_list("pk", flat=True)
    return Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=list(ids), kind=KINDS[DutyKind(kind)]
    ).exists()


def duty_deadline_open(organization: Organization, year: int, kind: str) -> bool:
    """Whether the bureau's filing duty of the year has its own deadline (then a new plan opens none)."""
    return duty_deadline(organization=organization, year=year, kind=kind) is not None


def complete_filing_duty(*, organization: Organization, year: int, kind: str, actor: User | None,
                         when: datetime.datetime | None) -> None:
    """The plan was filed / published: the bureau's duty for the year is met (if it was opened)."""
    duty = PlanFilingDuty.objects.filter(organization=organization, year=year, kind=kind).first()
    if duty is not None:
        deadline_complete(subject=duty, kind=KINDS[DutyKind(kind)], actor=actor, when=when)


def duty_deadline(*, organization: Organization, year: int, kind: str) -> Deadline | None:
    duty = PlanFilingDuty.objects.filter(organization=organization, year=year, kind=kind).first()
    if duty is None:
        return None
    from django.contrib.contenttypes.models import ContentType

    return Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(PlanFilingDuty), object_id=duty.pk, kind=KINDS[DutyKind(kind)]
    ).first()
