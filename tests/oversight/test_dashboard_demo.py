"""The dashboard over the real demo data: every figure of 莲池区 equals a query counted by hand here."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Q

from shuangsuiji.accounts.models import Organization
from shuangsuiji.directory.models import Target, TargetStatus
from shuangsuiji.disclosure.models import PublishedPenalty, PublishedResult
from shuangsuiji.draws.models import DrawnTarget, DrawStatus
from shuangsuiji.inspections.models import FollowUpCase, InspectionRecord, RecordStatus
from shuangsuiji.oversight.dashboard import Period, figures_by_owner, rates
from shuangsuiji.planning.models import Task

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stats_today")]
TODAY = datetime.date(2026, 11, 25)


def test_demo_dashboard_figures_match_hand_counts() -> None:
    from shuangsuiji.demo.loader import load_demo

    load_demo(size=400, inspectors=60, today=TODAY)
    bureau = Organization.objects.get(name__endswith="莲池区卫生健康局")
    figures = figures_by_owner([bureau.pk], Period.year_to_date(2026, TODAY))[0][bureau.pk]

    targets = Target.objects.filter(owner=bureau, is_retired=False)
    assert figures["targets_operating"] == targets.filter(status=TargetStatus.OPERATING).count() > 0
    # 双随机 figures: the demo's 非随机检查 (投诉举报) is counted apart (oversight/nonrandom_stats.py)
    assert Task.objects.filter(owner=bureau, year=2026, kind="nonrandom").exists()
    assert figures["tasks"] == Task.objects.filter(owner=bureau, year=2026).exclude(kind="nonrandom").count()
    drawn = DrawnTarget.objects.filter(draw__owner=bureau, draw__task__year=2026, draw__status=DrawStatus.CONFIRMED)
    assert figures["drawn"] == drawn.count() > 0
    records = InspectionRecord.objects.filter(owner=bureau, task__year=2026, task__kind="random").exclude(
        status=RecordStatus.CANCELLED)
    assert figures["approved"] == records.filter(status=RecordStatus.APPROVED).count() > 0
    # inspected = results entered (submitted or approved; a record 退回修改 is not counted until resubmitted)
    inspected = records.filter(inspected_on__year=2026, status__in=[RecordStatus.SUBMITTED, RecordStatus.APPROVED])
    assert figures["inspected_targets"] == inspected.values("target").distinct().count() > 0
    published = PublishedResult.objects.filter(task__owner=bureau, task__year=2026, task__kind="random",
                                               source_key__startswith="inspections.")
    assert figures["published"] == published.count() > 0
    assert figures["penalties"] == FollowUpCase.objects.filter(
        owner=bureau, penalty_decided_on__year=2026).exclude(penalty_decided_on=None).count() == 1
    assert PublishedPenalty.objects.filter(result__task__owner=bureau).count() == 1
    covered = targets.filter(Q(status=TargetStatus.OPERATING), last_inspected_on__year__gte=2024,
                             last_inspected_on__year__lte=2026).count()
    assert figures["covered_3y"] == covered
    computed = rates(figures)
    assert computed["publication"] is not None and computed["completion"] is not None
