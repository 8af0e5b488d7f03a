"""提醒、培训、约谈、记分 of inspected targets (大洼 六(六): 综合运用提醒、培训、约谈、记分等手段落实检查对象责任),
recorded in the follow-up ledger of the 一企一表 with dates and outcomes and counted in the reports. A 医疗机构's
记分 is its 不良行为记分 and carries the result of the 传染病防治分类监督综合评价 form (平顶山: 将综合评价结果与医疗
机构不良行为记分相衔接).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.scope import Perm, check_can_edit
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.inspections.models import (
    MEDICAL_SPECIALTIES,
    EvaluationGrade,
    InspectionRecord,
    MeasureKind,
    RecordStatus,
    TargetMeasure,
)

MAX_POINTS = 12  # 医疗机构不良执业行为记分: a cycle's total of 12 points triggers the heaviest measures


def is_medical(record: InspectionRecord) -> bool:
    return record.target.specialties.filter(code__in=MEDICAL_SPECIALTIES).exists()


def points_in_year(target_id: int, year: int) -> int:
    return int(
        TargetMeasure.objects.filter(target_id=target_id, kind=MeasureKind.SCORING, occurred_on__year=year)
        .aggregate(n=Sum("points"))["n"] or 0
    )


@transaction.atomic
def measure_record(
    *,
    actor: User,
    record: InspectionRecord,
    kind: str,
    occurred_on: datetime.date,
    content: str,
    outcome: str,
    participants: str = "",
    points: int | None = None,
    evaluation_grade: str = "",
    evaluation_score: Decimal | None = None,
) -> TargetMeasure:
    """Record one 提醒/培训/约谈/记分 of the record's target (after the record passed review)."""
    record = InspectionRecord.objects.select_for_update(of=("self",)).select_related("target").get(pk=record.pk)
    check_can_edit(actor, record.owner_id, Perm.INSPECTION_ENTER)
    if record.status != RecordStatus.APPROVED:
        raise ApplicationError("检查结果审核通过后才能登记提醒、约谈、记分")
    if kind not in MeasureKind.values:
        raise ApplicationError("请选择措施：提醒、培训、约谈或记分")
    if not content.strip() or not outcome.strip():
        raise ApplicationError("请填写事由及内容和结果（整改承诺、落实情况）")
    if occurred_on > timezone.localdate():
        raise ApplicationError("日期不能晚于今天")
    if record.inspected_on and occurred_on < record.inspected_on:
        raise ApplicationError(f"日期不能早于检查日期（{format_cn_date(record.inspected_on)}）")
    if kind == MeasureKind.INTERVIEW and not participants.strip():
        raise ApplicationError("约谈须写明约谈对象及参加人员")
    medical = is_medical(record)
    if kind == MeasureKind.SCORING:
        if points is None or not 1 <= points <= MAX_POINTS:
            raise ApplicationError(f"记分分值应为1—{MAX_POINTS}分")
        if medical:
            if evaluation_grade not in EvaluationGrade.values:
                raise ApplicationError("医疗机构的不良行为记分须填写传染病防治分类监督综合评价结果（优秀、合格、重点监督）")
            if evaluation_score is None or not Decimal(0) <= evaluation_score <= Decimal(100):
                raise ApplicationError("请填写综合评价得分（0—100分）")
    else:
        points, evaluation_grade, evaluation_score = None, "", None
    if evaluation_grade and evaluation_grade not in EvaluationGrade.values:
        raise ApplicationError("综合评价结果无效")
    measure = TargetMeasure.objects.create(
        owner_id=record.owner_id, record=record, target_id=record.target_id, kind=kind, occurred_on=occurred_on,
        content=content.strip(), participants=participants.strip()[:255], outcome=outcome.strip(), points=points,
        evaluation_grade=evaluation_grade, evaluation_score=evaluation_score, created_by=actor,
    )
    total = points_in_year(record.target_id, occurred_on.year)
    audit_record(
        actor=actor, event="inspection.measure_record", target=measure,
        changes={"record": record.number, "kind": measure.kind_label, "occurred_on": occurred_on,
                 "outcome": measure.outcome, "points": points, "evaluation_grade": evaluation_grade,
                 "evaluation_score": evaluation_score, "points_in_year": total},
    )
    return measure
