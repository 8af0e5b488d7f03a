"""后续处置台账: the follow-up of every problem an approved inspection found, until it is closed with evidence.

责令整改 + 复查, 立案查处 + 行政处罚 (published within 7 working days), 移交有管辖权的机关, 移送司法机关,
信用惩戒 (经营异常名录 / 严重违法失信名单). "应列尽列": a case meeting the conditions of a listing or of case
filing cannot be closed with 责令改正 only (seed 000: 不得用责令改正、行政指导代替).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.directory.models import InspectorKind
from shuangsuiji.inspections import hooks
from shuangsuiji.inspections.models import (
    CaseStatus,
    Finding,
    FollowUpCase,
    FollowUpMeasure,
    FollowUpStep,
    InspectionRecord,
    RecordItem,
)
from shuangsuiji.inspections.permissions import check_can_close_case, check_can_handle_case
from shuangsuiji.inspections.workdays import add_workdays

PENALTY_PUBLICATION_WORKDAYS = 7


def _step(*, case: FollowUpCase, actor: User, kind: str, on: datetime.date, note: str = "", **data: Any) -> None:
    FollowUpStep.objects.create(case=case, kind=kind, occurred_on=on, note=note, actor=actor, data=data)


def _check_date(value: datetime.date, *, label: str, not_before: datetime.date | None = None, before_label: str = "") -> None:
    if value > timezone.localdate():
        raise ApplicationError(f"{label}不能晚于今天")
    if not_before is not None and value < not_before:
        raise ApplicationError(f"{label}不能早于{before_label}（{format_cn_date(not_before)}）")


def _lock(case: FollowUpCase) -> FollowUpCase:
    locked = FollowUpCase.objects.select_for_update(of=("self",)).select_related("record", "target").get(pk=case.pk)
    if locked.status != CaseStatus.OPEN:
        raise ApplicationError("该处置记录已办结，不能再修改")
    return locked


# ---------------------------------------------------------------- opening (called by record_review)


def open_cases_for_record(*, actor: User, record: InspectionRecord) -> list[FollowUpCase]:
    """Open one case per 不合格 item, or one for the record when a problem result has no failed item.

    Runs inside ``record_review``'s transaction.
    """
    codes = list(record.result_codes.all())
    problem_codes = [c for c in codes if c.is_problem]
    failed = list(record.items.filter(finding=Finding.FAIL).order_by("sort_order"))
    if not failed and not problem_codes:
        return []
    measures: list[str] = []
    for code in problem_codes:
        for measure in code.follow_up_measures:
            if measure not in measures:
                measures.append(measure)
    section = responsible_section(record)
    present = list(record.members.filter(present=True, kind=InspectorKind.OFFICER).order_by("sort_order"))
    leader = next((m for m in present if m.role == "leader"), present[0] if present else None)
    opened_on = timezone.localdate()
    problems: list[tuple[RecordItem | None, str]] = [
        (item, f"{item.name}：{item.note}") for item in failed
    ] or [(None, record.result_note or "；".join(c.name for c in problem_codes))]
    existing = FollowUpCase.objects.filter(record=record).count()
    cases: list[FollowUpCase] = []
    for index, (item, problem) in enumerate(problems, start=existing + 1):
        case = FollowUpCase.objects.create(
            owner_id=record.owner_id, record=record, finding=item, target=record.target,
            region_id=record.target.region_id, section=section, inspector=leader.inspector if leader else None,
            number=f"{record.number}-CZ{index}", problem=problem, planned_measures=measures, opened_on=opened_on,
            meets_case_conditions=FollowUpMeasure.CASE in measures,
        )
        _step(case=case, actor=actor, kind="open", on=opened_on, note=problem, measures=measures)
        audit_record(
            actor=actor, event="followup.open", target=case,
            changes={"record": record.number, "problem": problem, "measures": measures},
        )
        hooks.on_case_opened(actor=actor, case=case)
        if FollowUpMeasure.RECTIFY in measures and record.inspected_on is not None:
            from shuangsuiji.inspections.services import bureau_settings

            workdays = record.rectify_workdays or bureau_settings(record.owner_id).default_rectify_workdays
            _order_rectification(
                actor=actor, case=case, ordered_on=record.inspected_on, workdays=workdays,
                requirement=(item.note if item else problem),
            )
        cases.append(case)
    return cases


# ---------------------------------------------------------------- measures


def _order_rectification(
    *, actor: User, case: FollowUpCase, ordered_on: datetime.date, workdays: int, requirement: str
) -> None:
    if not 1 <= workdays <= 90:
        raise ApplicationError("整改期限须为 1—90 个工作日")
    deadline = add_workdays(ordered_on, workdays)
    old = (case.rectify_ordered_on, case.rectify_deadline)
    case.rectify_ordered_on = ordered_on
    case.rectify_deadline = deadline.date
    case.rectify_deadline_provisional = deadline.provisional
    case.rectify_requirement = requirement.strip()
    case.recheck_on, case.recheck_passed = None, None
    case.save()
    note = f"责令整改，{workdays}个工作日内（{format_cn_date(deadline.date)}前）完成"
    if deadline.reason:
        note += f"；{deadline.reason}"
    _step(case=case, actor=actor, kind="rectify", on=ordered_on, note=note, requirement=requirement)
    audit_record(
        actor=actor, event="followup.rectify", target=case,
        changes={"rectify": (old, (ordered_on, deadline.date)), "workdays": workdays},
    )
    hooks.on_rectification_ordered(actor=actor, case=case)


@transaction.atomic
def case_order_rectification(
    *, actor: User, case: FollowUpCase, ordered_on: datetime.date, workdays: int, requirement: str
) -> FollowUpCase:
    case = _lock(case)
    check_can_handle_case(actor, case)
    _check_date(ordered_on, label="责令整改日期")
    if not requirement.strip():
        raise ApplicationError("请填写整改要求")
    _order_rectification(actor=actor, case=case, ordered_on=ordered_on, workdays=workdays, requirement=requirement)
    return case


@transaction.atomic
def case_record_recheck(
    *, actor: User, case: FollowUpCase, rechecked_on: datetime.date, passed: bool, note: str
) -> FollowUpCase:
    """复查: the rectification was (or was not) carried out. A failed re-check calls for further measures."""
    case = _lock(case)
    check_can_handle_case(actor, case)
    if case.rectify_ordered_on is None:
        raise ApplicationError("尚未责令整改，不能登记复查")
    _check_date(rechecked_on, label="复查日期", not_before=case.rectify_ordered_on, before_label="责令整改日期")
    if not note.strip():
        raise ApplicationError("请填写复查情况")
    case.recheck_on, case.recheck_passed, case.recheck_note = rechecked_on, passed, note.strip()
    case.save()
    _step(case=case, actor=actor, kind="recheck", on=rechecked_on, note=note, passed=passed)
    audit_record(actor=actor, event="followup.recheck", target=case, changes={"recheck_on": rechecked_on, "passed": passed})
    hooks.on_recheck_recorded(actor=actor, case=case)
    return case


@transaction.atomic
def case_set_conditions(
    *, actor: User, case: FollowUpCase, case_filing: bool, abnormal_list: bool, serious_illegal: bool, note: str
) -> FollowUpCase:
    """Record whether the case meets the conditions of case filing / the credit lists (应列尽列)."""
    case = _lock(case)
    check_can_handle_case(actor, case)
    old = (case.meets_case_conditions, case.meets_abnormal_list, case.meets_serious_illegal)
    new = (case_filing, abnormal_list, serious_illegal)
    if old == new:
        return case
    if not note.strip():
        raise ApplicationError("请说明认定依据")
    case.meets_case_conditions, case.meets_abnormal_list, case.meets_serious_illegal = new
    case.save()
    _step(case=case, actor=actor, kind="conditions", on=timezone.localdate(), note=note,
          case_filing=case_filing, abnormal_list=abnormal_list, serious_illegal=serious_illegal)
    audit_record(actor=actor, event="followup.conditions", target=case, changes={"conditions": (old, new), "note": note})
    return case


@transaction.atomic
def case_file(*, actor: User, case: FollowUpCase, case_number: str, filed_on: datetime.date) -> FollowUpCase:
    case = _lock(case)
    check_can_handle_case(actor, case)
    if case.case_filed_on is not None:
        raise ApplicationError("该问题已立案")
    if not case_number.strip():
        raise ApplicationError("请填写立案号")
    _check_date(filed_on, label="立案日期", not_before=case.record.inspected_on, before_label="检查日期")
    case.case_number, case.case_filed_on = case_number.strip(), filed_on
    case.save()
    _step(case=case, actor=actor, kind="file", on=filed_on, note=f"立案号 {case.case_number}")
    audit_record(actor=actor, event="followup.file", target=case, changes={"case_number": case.case_number, "filed_on": filed_on})
    return case


@transaction.atomic
def case_decide_penalty(
    *,
    actor: User,
    case: FollowUpCase,
    decision_number: str,
    decided_on: datetime.date,
    content: str,
    amount: Decimal | None = None,
) -> FollowUpCase:
    """行政处罚决定: its publication is due within 7 working days of the decision."""
    case = _lock(case)
    check_can_handle_case(actor, case)
    if case.case_filed_on is None:
        raise ApplicationError("须先立案，才能登记行政处罚决定")
    if case.penalty_decided_on is not None:
        raise ApplicationError("已登记行政处罚决定")
    if not decision_number.strip() or not content.strip():
        raise ApplicationError("请填写行政处罚决定书文号和处罚内容")
    if amount is not None and amount < 0:
        raise ApplicationError("罚没款金额不能为负数")
    _check_date(decided_on, label="处罚决定日期", not_before=case.case_filed_on, before_label="立案日期")
    deadline = add_workdays(decided_on, PENALTY_PUBLICATION_WORKDAYS)
    case.penalty_decision_number = decision_number.strip()
    case.penalty_decided_on = decided_on
    case.penalty_content = content.strip()
    case.penalty_amount = amount
    case.penalty_publish_deadline = deadline.date
    case.penalty_publish_deadline_provisional = deadline.provisional
    case.save()
    _step(
        case=case, actor=actor, kind="penalty", on=decided_on,
        note=f"{case.penalty_decision_number}：{case.penalty_content}；应于{format_cn_date(deadline.date)}前公示",
        amount=str(amount) if amount is not None else None,
    )
    audit_record(
        actor=actor, event="followup.penalty", target=case,
        changes={"decision": case.penalty_decision_number, "decided_on": decided_on, "amount": amount,
                 "publish_deadline": deadline.date},
    )
    from shuangsuiji.inspections.services import target_add_risk_flag

    target_add_risk_flag(
        actor=actor, target=case.target, flag="penalized", reason=case.penalty_decision_number,
        occurred_on=decided_on, source="penalty",
    )
    hooks.on_penalty_decided(actor=actor, case=case)
    return case


@transaction.atomic
def case_conclude(*, actor: User, case: FollowUpCase, conclusion: str) -> FollowUpCase:
    """A filed case that ends without a penalty (不予行政处罚, 撤销立案 …)."""
    case = _lock(case)
    check_can_handle_case(actor, case)
    if case.case_filed_on is None:
        raise ApplicationError("未立案，无需登记办理结论")
    if not conclusion.strip():
        raise ApplicationError("请填写办理结论")
    case.case_conclusion = conclusion.strip()
    case.save()
    _step(case=case, actor=actor, kind="conclude", on=timezone.localdate(), note=case.case_conclusion)
    audit_record(actor=actor, event="followup.conclude", target=case, changes={"conclusion": case.case_conclusion})
    return case


@transaction.atomic
def case_transfer(
    *, actor: User, case: FollowUpCase, agency: str, transferred_on: datetime.date, note: str = "", judicial: bool = False
) -> FollowUpCase:
    """移交有管辖权的机关 (谁管辖、谁负责) or, with ``judicial``, 移送司法机关 (涉嫌犯罪)."""
    case = _lock(case)
    check_can_handle_case(actor, case)
    if not agency.strip():
        raise ApplicationError("请填写接收机关")
    _check_date(transferred_on, label="移交日期", not_before=case.record.inspected_on, before_label="检查日期")
    if judicial:
        case.judicial_agency, case.judicial_transferred_on = agency.strip(), transferred_on
        kind, event = "judicial", "followup.judicial"
    else:
        case.transfer_agency, case.transferred_on = agency.strip(), transferred_on
        kind, event = "transfer", "followup.transfer"
    case.save()
    _step(case=case, actor=actor, kind=kind, on=transferred_on, note=f"{agency.strip()} {note.strip()}".strip())
    audit_record(actor=actor, event=event, target=case, changes={"agency": agency.strip(), "on": transferred_on})
    return case


@transaction.atomic
def case_list_credit(
    *,
    actor: User,
    case: FollowUpCase,
    abnormal_list: bool,
    serious_illegal: bool,
    listed_on: datetime.date,
    note: str,
) -> FollowUpCase:
    """信用惩戒: 列入经营异常名录 / 严重违法失信名单; the target gets the matching risk flag."""
    case = _lock(case)
    check_can_handle_case(actor, case)
    if not abnormal_list and not serious_illegal:
        raise ApplicationError("请选择列入的名录")
    _check_date(listed_on, label="列入日期", not_before=case.opened_on, before_label="登记日期")
    if not note.strip():
        raise ApplicationError("请填写列入决定文号或说明")
    from shuangsuiji.inspections.services import target_add_risk_flag

    listed: list[str] = []
    if abnormal_list and case.abnormal_listed_on is None:
        case.abnormal_listed_on = listed_on
        listed.append("经营异常名录")
        target_add_risk_flag(
            actor=actor, target=case.target, flag="abnormal_list", reason=note, occurred_on=listed_on
        )
    if serious_illegal and case.serious_illegal_listed_on is None:
        case.serious_illegal_listed_on = listed_on
        listed.append("严重违法失信名单")
        target_add_risk_flag(
            actor=actor, target=case.target, flag="blacklist", reason=note, occurred_on=listed_on
        )
    if not listed:
        raise ApplicationError("已列入所选名录")
    case.credit_note = "\n".join(filter(None, [case.credit_note, note.strip()]))
    case.save()
    _step(case=case, actor=actor, kind="credit", on=listed_on, note=f"列入{'、'.join(listed)}：{note.strip()}")
    audit_record(actor=actor, event="followup.credit", target=case, changes={"listed": listed, "on": listed_on})
    return case


# ---------------------------------------------------------------- closing


def close_blockers(case: FollowUpCase) -> list[str]:
    """Why the case cannot be closed yet (empty when it can)."""
    blockers: list[str] = []
    if case.status != CaseStatus.OPEN:
        return ["该处置记录已办结"]
    if not case.measures_taken:
        blockers.append("尚未记录任何处置措施")
    if case.rectify_ordered_on is not None and case.recheck_passed is not True:
        blockers.append("责令整改尚未复查合格")
    if case.meets_case_conditions and case.case_filed_on is None:
        blockers.append("符合立案条件，须立案查处（不得以责令改正代替）")
    if case.case_filed_on is not None and case.penalty_decided_on is None and not case.case_conclusion:
        blockers.append("已立案，尚未登记行政处罚决定或办理结论")
    if case.meets_abnormal_list and case.abnormal_listed_on is None:
        blockers.append("应列尽列：符合列入经营异常名录情形，须列入后才能办结，不得以责令改正、行政指导代替")
    if case.meets_serious_illegal and case.serious_illegal_listed_on is None:
        blockers.append("应列尽列：符合列入严重违法失信名单情形，须列入后才能办结，不得以责令改正、行政指导代替")
    if FollowUpMeasure.TRANSFER in case.planned_measures and case.transferred_on is None:
        blockers.append("拟移交有管辖权的机关，尚未登记移交")
    if FollowUpMeasure.JUDICIAL in case.planned_measures and case.judicial_transferred_on is None:
        blockers.append("拟移送司法机关，尚未登记移送")
    if not case.evidence.exists():
        blockers.append("办结须上传至少一份证明材料（整改照片、复查记录、处罚决定书、移交回执等）")
    return blockers


@transaction.atomic
def case_close(*, actor: User, case: FollowUpCase, closed_on: datetime.date, note: str) -> FollowUpCase:
    case = _lock(case)
    check_can_close_case(actor, case)
    _check_date(closed_on, label="办结日期", not_before=case.opened_on, before_label="登记日期")
    if not note.strip():
        raise ApplicationError("请填写办结说明")
    blockers = close_blockers(case)
    if blockers:
        raise ApplicationError("不能办结：" + "；".join(blockers))
    case.status = CaseStatus.CLOSED
    case.closed_on, case.closed_by, case.close_note = closed_on, actor, note.strip()
    case.save()
    _step(case=case, actor=actor, kind="close", on=closed_on, note=note, evidence=case.evidence.count())
    audit_record(
        actor=actor, event="followup.close", target=case,
        changes={"status": (CaseStatus.OPEN, CaseStatus.CLOSED), "measures": case.measures_taken},
    )
    hooks.on_case_closed(actor=actor, case=case)
    return case


def responsible_section(record: InspectionRecord) -> Any:
    """The 科室 responsible for the task's items: its plan line's, else (joint and national tasks have none) the
    section the bureau's annual plan of that year gives one of the task's items."""
    from shuangsuiji.planning.models import AnnualPlanLine

    task = record.task
    if task.plan_line_id and task.plan_line.responsible_section_id:  # type: ignore[union-attr]
        return task.plan_line.responsible_section  # type: ignore[union-attr]
    line = (
        AnnualPlanLine.objects.filter(
            plan__owner_id=task.owner_id, plan__year=task.year, item__in=task.items.all(),
            responsible_section__isnull=False,
        )
        .select_related("responsible_section").order_by("-plan__version", "pk").first()
    )
    return line.responsible_section if line else None
